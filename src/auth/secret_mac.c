/* HMAC-SHA-256 from util/hmac_sha256.h, base64url from util/base64.h,
 * and CRYPTO_memcmp for the comparison. No I/O: the keys are handed in. */
#include "auth/secret_mac.h"

#include <openssl/crypto.h>
#include <string.h>

#include "util/base64.h"
#include "util/hmac_sha256.h"

#define SCHEME_PREFIX   SECRET_MAC_SCHEME "$"
#define MAC_TEXT_LENGTH 43 /* base64url of 32 bytes, unpadded */
#define KEY_TEXT_LENGTH 43

/* HMAC-SHA-256 of secret under key into mac; false when OpenSSL fails. */
static bool compute(const struct secret_mac_key *key, const char *secret, unsigned char mac[SECRET_MAC_BYTES])
{
	_Static_assert(SECRET_MAC_BYTES == HMAC_SHA256_BYTES, "a secret's MAC is an HMAC-SHA-256");
	return hmac_sha256(key->bytes, sizeof(key->bytes), secret, strlen(secret), NULL, 0, mac);
}

bool secret_mac_is_keyed(const char *stored)
{
	return strncmp(stored, SCHEME_PREFIX, sizeof(SCHEME_PREFIX) - 1) == 0;
}

static bool is_base64url_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Whether the length characters at text are all of the base64url alphabet. */
static bool all_base64url(const char *text, size_t length)
{
	for (size_t i = 0; i < length; i++)
		if (!is_base64url_char(text[i]))
			return false;
	return true;
}

bool secret_mac_key_id_valid(const char *id)
{
	size_t length = strlen(id);
	return length > 0 && length <= SECRET_MAC_KEY_ID_MAX && all_base64url(id, length);
}

bool secret_mac_key_decode(const char *id, const char *text, struct secret_mac_key *key)
{
	unsigned char bytes[KEY_TEXT_LENGTH]; /* base64url_decode wants room for text_length bytes */
	if (!secret_mac_key_id_valid(id) || strlen(text) != KEY_TEXT_LENGTH || !all_base64url(text, KEY_TEXT_LENGTH) ||
	    base64url_decode(text, KEY_TEXT_LENGTH, bytes) != SECRET_MAC_KEY_BYTES) {
		OPENSSL_cleanse(bytes, sizeof(bytes));
		return false;
	}
	memcpy(key->id, id, strlen(id) + 1);
	memcpy(key->bytes, bytes, SECRET_MAC_KEY_BYTES);
	OPENSSL_cleanse(bytes, sizeof(bytes));
	return true;
}

void secret_mac_key_encode(const struct secret_mac_key *key, char out[SECRET_MAC_KEY_TEXT_SIZE])
{
	char text[4 * ((SECRET_MAC_KEY_BYTES + 2) / 3) + 1]; /* base64url_encode writes the padded form first */
	size_t length = base64url_encode(key->bytes, sizeof(key->bytes), text);
	_Static_assert(KEY_TEXT_LENGTH + 1 == SECRET_MAC_KEY_TEXT_SIZE, "the key's text and its NUL");
	memcpy(out, text, length + 1);
	OPENSSL_cleanse(text, sizeof(text));
}

int secret_mac_hash(const struct secret_mac_key *key, const char *secret, char out[SECRET_MAC_HASH_SIZE])
{
	unsigned char mac[SECRET_MAC_BYTES];
	if (!secret_mac_key_id_valid(key->id) || !compute(key, secret, mac))
		return -1;
	size_t at = 0;
	memcpy(out, SCHEME_PREFIX, sizeof(SCHEME_PREFIX) - 1);
	at += sizeof(SCHEME_PREFIX) - 1;
	size_t id_length = strlen(key->id);
	memcpy(out + at, key->id, id_length);
	at += id_length;
	out[at++] = '$';
	char text[4 * ((SECRET_MAC_BYTES + 2) / 3) + 1]; /* base64url_encode writes the padded form first */
	size_t length = base64url_encode(mac, sizeof(mac), text);
	/* the id is at most SECRET_MAC_KEY_ID_MAX characters (checked above) */
	_Static_assert(sizeof(SCHEME_PREFIX) - 1 + SECRET_MAC_KEY_ID_MAX + 1 + MAC_TEXT_LENGTH + 1 ==
	                   SECRET_MAC_HASH_SIZE,
	               "SECRET_MAC_HASH_SIZE holds the longest stored form");
	if (length != MAC_TEXT_LENGTH)
		return -1;
	memcpy(out + at, text, length + 1);
	return 0;
}

bool secret_mac_parse(const char *stored, char key_id[SECRET_MAC_KEY_ID_MAX + 1], unsigned char mac[SECRET_MAC_BYTES])
{
	if (!secret_mac_is_keyed(stored))
		return false;
	const char *id = stored + sizeof(SCHEME_PREFIX) - 1;
	const char *separator = strchr(id, '$');
	if (separator == NULL)
		return false;
	size_t id_length = (size_t)(separator - id);
	const char *mac_text = separator + 1;
	if (id_length == 0 || id_length > SECRET_MAC_KEY_ID_MAX || !all_base64url(id, id_length) ||
	    strlen(mac_text) != MAC_TEXT_LENGTH || !all_base64url(mac_text, MAC_TEXT_LENGTH))
		return false;
	unsigned char decoded[MAC_TEXT_LENGTH];
	if (base64url_decode(mac_text, MAC_TEXT_LENGTH, decoded) != SECRET_MAC_BYTES)
		return false;
	memcpy(key_id, id, id_length);
	key_id[id_length] = '\0';
	memcpy(mac, decoded, SECRET_MAC_BYTES);
	return true;
}

enum secret_mac_check secret_mac_check(const struct secret_mac_key *key, const char *stored, const char *secret)
{
	char key_id[SECRET_MAC_KEY_ID_MAX + 1];
	unsigned char expected[SECRET_MAC_BYTES], actual[SECRET_MAC_BYTES];
	if (!secret_mac_parse(stored, key_id, expected))
		return SECRET_MAC_MALFORMED;
	if (strcmp(key_id, key->id) != 0)
		return SECRET_MAC_OTHER_KEY;
	if (!compute(key, secret, actual))
		return SECRET_MAC_CHECK_ERROR;
	bool same = CRYPTO_memcmp(expected, actual, SECRET_MAC_BYTES) == 0;
	OPENSSL_cleanse(actual, sizeof(actual));
	return same ? SECRET_MAC_MATCH : SECRET_MAC_MISMATCH;
}
