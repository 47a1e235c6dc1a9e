/* Keyed hashes of the secrets camfleet generates itself (API client and device secrets, 256 random
 * bits): HMAC-SHA-256 under a server-side key, stored self-describing as
 * "hmac-sha256$<key id>$<base64url MAC>" so that the key can be rotated later. Pure: formatting,
 * parsing, computing and checking; the keys themselves come from auth/secret_keys.h. */
#ifndef CAMFLEET_AUTH_SECRET_MAC_H
#define CAMFLEET_AUTH_SECRET_MAC_H

#include <stdbool.h>
#include <stddef.h>

#define SECRET_MAC_SCHEME        "hmac-sha256"
#define SECRET_MAC_KEY_BYTES     32
#define SECRET_MAC_KEY_TEXT_SIZE 44 /* base64url of the key's bytes, with NUL */
#define SECRET_MAC_KEY_ID_MAX    32 /* characters of a key id: [A-Za-z0-9_-] */
#define SECRET_MAC_BYTES         32
/* The stored form, with NUL: scheme, '$', key id, '$', 43 characters of MAC. */
#define SECRET_MAC_HASH_SIZE (sizeof(SECRET_MAC_SCHEME) + SECRET_MAC_KEY_ID_MAX + 1 + 43 + 1)

/* A key: its id (named in every hash made with it) and its bytes. */
struct secret_mac_key {
	char id[SECRET_MAC_KEY_ID_MAX + 1];
	unsigned char bytes[SECRET_MAC_KEY_BYTES];
};

enum secret_mac_check {
	SECRET_MAC_MATCH,
	SECRET_MAC_MISMATCH,    /* a well-formed hash under this key, of another secret */
	SECRET_MAC_OTHER_KEY,   /* a well-formed hash naming another key id */
	SECRET_MAC_MALFORMED,   /* not the keyed form at all */
	SECRET_MAC_CHECK_ERROR, /* OpenSSL failed: nothing was checked */
};

/* Whether stored begins like the keyed form (else it is a legacy argon2id hash, "$argon2id$..."). */
bool secret_mac_is_keyed(const char *stored);
/* Whether id is a usable key id: 1 to SECRET_MAC_KEY_ID_MAX characters of [A-Za-z0-9_-]. */
bool secret_mac_key_id_valid(const char *id);
/* Fills key from its id and the base64url text of its bytes; false when either is malformed. */
bool secret_mac_key_decode(const char *id, const char *text, struct secret_mac_key *key)
    __attribute__((warn_unused_result));
/* The base64url text of key's bytes, as kept in the database. */
void secret_mac_key_encode(const struct secret_mac_key *key, char out[SECRET_MAC_KEY_TEXT_SIZE]);

/* Writes the stored form of secret under key into out; 0, or -1 when OpenSSL fails or the id is
 * not valid. */
int secret_mac_hash(const struct secret_mac_key *key, const char *secret, char out[SECRET_MAC_HASH_SIZE])
    __attribute__((warn_unused_result));
/* Splits stored into its key id and MAC; false when stored is not exactly the keyed form. */
bool secret_mac_parse(const char *stored, char key_id[SECRET_MAC_KEY_ID_MAX + 1], unsigned char mac[SECRET_MAC_BYTES])
    __attribute__((warn_unused_result));
/* Checks secret against stored under key, comparing the MACs in constant time (CRYPTO_memcmp). */
enum secret_mac_check secret_mac_check(const struct secret_mac_key *key, const char *stored, const char *secret)
    __attribute__((warn_unused_result));

#endif
