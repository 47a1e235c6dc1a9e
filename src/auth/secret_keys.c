/* A small array of keys read from the store once (the current one first), and a hash of a secret
 * nobody holds for the unknown-client check. Creation of the first key follows signing_keys.c:
 * insert, and on STORE_CONFLICT (another node won the race) read again. */
#include "auth/secret_keys.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "util/base64.h"
#include "util/log.h"
#include "util/timeutil.h"

#define SECRET_KEYS_MAX     8 /* keys held: the current one and the newest retired ones */
#define KEY_ID_RANDOM_BYTES 9 /* 12 characters of base64url */

struct secret_keys {
	struct secret_mac_key keys[SECRET_KEYS_MAX]; /* keys[0] is the current one */
	size_t count;
	char nothing_hash[SECRET_MAC_HASH_SIZE]; /* the current key's hash of a random secret nobody holds */
};

struct key_load {
	struct secret_keys *keys;
	bool current_unreadable;
};

static int load_row(void *context, const struct secret_hash_key_record *row)
{
	struct key_load *load = context;
	struct secret_keys *keys = load->keys;
	bool current = row->retired_at == 0;
	if (current && keys->count > 0)
		return 0; /* rows come current first: a second current key cannot be (unique index) */
	if (!current && keys->count == 0)
		return 1; /* no current key: the caller creates one and reads again */
	if (keys->count == SECRET_KEYS_MAX)
		return 1; /* the oldest retired keys are left out */
	if (!secret_mac_key_decode(row->id, row->key_text, &keys->keys[keys->count])) {
		log_error("secrets: secret hash key %s in the database cannot be read%s", row->id,
		          current ? "" : "; skipped");
		load->current_unreadable = current;
		return current ? 1 : 0;
	}
	keys->count++;
	return 0;
}

/* Reads the stored keys into keys; STORE_NOT_FOUND when there is no current key. */
static enum store_result load_keys(struct store *store, struct secret_keys *keys)
{
	struct key_load load = {keys, false};
	keys->count = 0;
	enum store_result result = store->ops->secret_hash_key_list(store, load_row, &load);
	if (result == STORE_OK && load.current_unreadable)
		result = STORE_ERROR;
	if (result == STORE_OK && keys->count == 0)
		result = STORE_NOT_FOUND;
	return result;
}

/* Creates a random key and stores it as the current one; STORE_CONFLICT when another node stored
 * one at the same moment (the caller then reads that one). */
static enum store_result create_first_key(struct store *store)
{
	struct secret_mac_key key;
	unsigned char id_bytes[KEY_ID_RANDOM_BYTES];
	char id_text[4 * ((KEY_ID_RANDOM_BYTES + 2) / 3) + 1];
	if (RAND_bytes(key.bytes, sizeof(key.bytes)) != 1 || RAND_bytes(id_bytes, sizeof(id_bytes)) != 1)
		return STORE_ERROR;
	base64url_encode(id_bytes, sizeof(id_bytes), id_text);
	_Static_assert(sizeof(id_text) <= sizeof(key.id), "a key id fits");
	memcpy(key.id, id_text, sizeof(id_text));
	char text[SECRET_MAC_KEY_TEXT_SIZE];
	secret_mac_key_encode(&key, text);
	enum store_result result = store->ops->secret_hash_key_insert(store, key.id, text, time_now_seconds());
	OPENSSL_cleanse(&key, sizeof(key));
	OPENSSL_cleanse(text, sizeof(text));
	if (result == STORE_OK)
		log_info("secrets: created secret hash key %s", id_text);
	else if (result == STORE_CONFLICT)
		log_info("secrets: another node created the secret hash key first; using it");
	return result;
}

struct secret_keys *secret_keys_from_store(struct store *store)
{
	struct secret_keys *keys = calloc(1, sizeof(*keys));
	if (keys == NULL)
		return NULL;
	enum store_result result = load_keys(store, keys);
	if (result == STORE_NOT_FOUND) {
		result = create_first_key(store);
		if (result == STORE_OK || result == STORE_CONFLICT)
			result = load_keys(store, keys);
	}
	unsigned char nothing[32];
	char nothing_text[4 * ((sizeof(nothing) + 2) / 3) + 1];
	if (result == STORE_OK && RAND_bytes(nothing, sizeof(nothing)) == 1) {
		base64url_encode(nothing, sizeof(nothing), nothing_text);
		if (secret_mac_hash(&keys->keys[0], nothing_text, keys->nothing_hash) != 0)
			result = STORE_ERROR;
	} else if (result == STORE_OK) {
		result = STORE_ERROR;
	}
	if (result != STORE_OK) {
		log_error("secrets: no usable secret hash key in the database");
		secret_keys_free(keys);
		return NULL;
	}
	return keys;
}

void secret_keys_free(struct secret_keys *keys)
{
	if (keys == NULL)
		return;
	OPENSSL_cleanse(keys, sizeof(*keys));
	free(keys);
}

int secret_keys_hash(const struct secret_keys *keys, const char *secret, char out[SECRET_MAC_HASH_SIZE])
{
	return secret_mac_hash(&keys->keys[0], secret, out);
}

enum secret_mac_check secret_keys_check(const struct secret_keys *keys, const char *stored, const char *secret)
{
	char key_id[SECRET_MAC_KEY_ID_MAX + 1];
	unsigned char mac[SECRET_MAC_BYTES];
	if (!secret_mac_parse(stored, key_id, mac))
		return SECRET_MAC_MALFORMED;
	for (size_t i = 0; i < keys->count; i++)
		if (strcmp(keys->keys[i].id, key_id) == 0)
			return secret_mac_check(&keys->keys[i], stored, secret);
	log_warn("secrets: a secret hash names key %s, which this node does not know", key_id);
	return secret_keys_check_nothing(keys, secret);
}

enum secret_mac_check secret_keys_check_nothing(const struct secret_keys *keys, const char *secret)
{
	enum secret_mac_check checked = secret_mac_check(&keys->keys[0], keys->nothing_hash, secret);
	return checked == SECRET_MAC_CHECK_ERROR ? checked : SECRET_MAC_MISMATCH;
}
