/* The key ring: a small array of (kid, key, retired_at) behind a read-write lock. Readers take a
 * reference to the key they need and sign or verify outside the lock; a reload builds a new array
 * and swaps it in, so a reader never sees a half-loaded ring. */
#include "auth/signing_keys.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/jwt.h"
#include "util/log.h"
#include "util/timeutil.h"

#define SIGNING_KEYS_MAX 16 /* keys held at once: the current one and recently retired ones */

struct signing_key_entry {
	char kid[SIGNING_KEY_ID_SIZE];
	EVP_PKEY *key;      /* private for the current key, public (or private) for retired ones */
	int64_t retired_at; /* epoch seconds; 0 for the current key */
};

struct key_ring {
	struct signing_key_entry entries[SIGNING_KEYS_MAX]; /* entries[0] is the current key */
	size_t count;
};

struct signing_keys {
	struct store *store; /* NULL for a key file */
	unsigned retention_seconds;
	pthread_rwlock_t lock;
	struct key_ring ring;
};

static void ring_clear(struct key_ring *ring)
{
	for (size_t i = 0; i < ring->count; i++)
		EVP_PKEY_free(ring->entries[i].key);
	ring->count = 0;
}

static char *bio_text(BIO *bio)
{
	char *data;
	long length = BIO_get_mem_data(bio, &data);
	char *text = length >= 0 ? malloc((size_t)length + 1) : NULL;
	if (text != NULL) {
		memcpy(text, data, (size_t)length);
		text[length] = '\0';
	}
	return text;
}

char *signing_key_private_pem(EVP_PKEY *key)
{
	BIO *bio = BIO_new(BIO_s_mem());
	if (bio == NULL)
		return NULL;
	char *pem = PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) == 1 ? bio_text(bio) : NULL;
	BIO_free(bio);
	return pem;
}

char *signing_key_public_pem(EVP_PKEY *key)
{
	BIO *bio = BIO_new(BIO_s_mem());
	if (bio == NULL)
		return NULL;
	char *pem = PEM_write_bio_PUBKEY(bio, key) == 1 ? bio_text(bio) : NULL;
	BIO_free(bio);
	return pem;
}

/* True when key is an EC key on P-256 (the only curve ES256 allows). */
static bool is_p256(EVP_PKEY *key)
{
	char group[64];
	size_t length = 0;
	return EVP_PKEY_is_a(key, "EC") &&
	       EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &length) == 1 &&
	       (strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0);
}

static EVP_PKEY *key_from_pem(const char *pem, bool private_part)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	if (bio == NULL)
		return NULL;
	EVP_PKEY *key =
	    private_part ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (key != NULL && !is_p256(key)) {
		EVP_PKEY_free(key);
		key = NULL;
	}
	return key;
}

static struct signing_keys *keys_new(struct store *store, unsigned retention_seconds)
{
	struct signing_keys *keys = calloc(1, sizeof(*keys));
	if (keys == NULL)
		return NULL;
	if (pthread_rwlock_init(&keys->lock, NULL) != 0) {
		free(keys);
		return NULL;
	}
	keys->store = store;
	keys->retention_seconds = retention_seconds;
	return keys;
}

void signing_keys_free(struct signing_keys *keys)
{
	if (keys == NULL)
		return;
	ring_clear(&keys->ring);
	pthread_rwlock_destroy(&keys->lock);
	free(keys);
}

/* ---- from the store ---- */

struct ring_load {
	struct key_ring ring;
	int64_t keep_after; /* retired keys retired at or before this are no longer needed */
	bool failed;
};

static int load_row(void *context, const struct signing_key_record *row)
{
	struct ring_load *load = context;
	if (row->retired_at != 0 && row->retired_at <= load->keep_after)
		return 0;
	bool current = row->retired_at == 0;
	if (current && load->ring.count > 0 && load->ring.entries[0].retired_at == 0)
		return 0; /* an older key never retired (SQLite admits several): only the newest is used */
	EVP_PKEY *key =
	    row->private_pem[0] != '\0' ? key_from_pem(row->private_pem, true) : key_from_pem(row->public_pem, false);
	if (key == NULL) {
		log_error("tokens: signing key %s in the database cannot be read; skipped", row->kid);
		return 0;
	}
	if (current && row->private_pem[0] == '\0') {
		log_error("tokens: the current signing key %s has no private part", row->kid);
		EVP_PKEY_free(key);
		load->failed = true;
		return 1;
	}
	if (load->ring.count == SIGNING_KEYS_MAX || strlen(row->kid) >= SIGNING_KEY_ID_SIZE) {
		EVP_PKEY_free(key);
		return 0; /* rows come newest first: the oldest retired keys are the ones left out */
	}
	struct signing_key_entry entry = {.key = key, .retired_at = row->retired_at};
	snprintf(entry.kid, sizeof(entry.kid), "%s", row->kid);
	if (current) { /* the current key goes first */
		memmove(&load->ring.entries[1], &load->ring.entries[0], load->ring.count * sizeof(entry));
		load->ring.entries[0] = entry;
	} else {
		load->ring.entries[load->ring.count] = entry;
	}
	load->ring.count++;
	return 0;
}

/* Reads the stored keys into *ring; STORE_NOT_FOUND when there is no current key. */
static enum store_result load_ring(struct signing_keys *keys, int64_t now, struct key_ring *ring)
{
	struct ring_load load = {.keep_after = now - (int64_t)keys->retention_seconds};
	enum store_result result = keys->store->ops->signing_key_list(keys->store, load_row, &load);
	if (result == STORE_OK && load.failed)
		result = STORE_ERROR;
	if (result == STORE_OK && (load.ring.count == 0 || load.ring.entries[0].retired_at != 0))
		result = STORE_NOT_FOUND;
	if (result != STORE_OK) {
		ring_clear(&load.ring);
		return result;
	}
	*ring = load.ring;
	return STORE_OK;
}

/* Creates a P-256 key and stores it as the current one; STORE_CONFLICT when another node stored
 * one at the same moment (the caller then reads that one). */
static enum store_result create_first_key(struct store *store)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	if (key == NULL)
		return STORE_ERROR;
	char kid[SIGNING_KEY_ID_SIZE];
	char *private_pem = signing_key_private_pem(key);
	char *public_pem = signing_key_public_pem(key);
	enum store_result result = STORE_ERROR;
	if (private_pem != NULL && public_pem != NULL && jwt_key_thumbprint(key, kid) == 0)
		result = store->ops->signing_key_insert(store, kid, private_pem, public_pem, time_now_seconds());
	if (private_pem != NULL)
		OPENSSL_cleanse(private_pem, strlen(private_pem));
	free(private_pem);
	free(public_pem);
	EVP_PKEY_free(key);
	if (result == STORE_OK)
		log_info("tokens: created signing key %s", kid);
	else if (result == STORE_CONFLICT)
		log_info("tokens: another node created the signing key first; using it");
	return result;
}

struct signing_keys *signing_keys_from_store(struct store *store, unsigned retention_seconds)
{
	struct signing_keys *keys = keys_new(store, retention_seconds);
	if (keys == NULL)
		return NULL;
	int64_t now = time_now_seconds();
	enum store_result result = load_ring(keys, now, &keys->ring);
	if (result == STORE_NOT_FOUND) {
		result = create_first_key(store);
		if (result == STORE_OK || result == STORE_CONFLICT)
			result = load_ring(keys, now, &keys->ring);
	}
	if (result != STORE_OK) {
		log_error("tokens: no usable signing key in the database");
		signing_keys_free(keys);
		return NULL;
	}
	return keys;
}

int signing_keys_refresh(struct signing_keys *keys, int64_t now)
{
	if (keys->store == NULL)
		return 0;
	char kid[SIGNING_KEY_ID_SIZE];
	enum store_result result = keys->store->ops->signing_key_current(keys->store, kid, sizeof(kid));
	if (result != STORE_OK)
		return result == STORE_NOT_FOUND ? 0 : -1;
	pthread_rwlock_rdlock(&keys->lock);
	bool same = strcmp(kid, keys->ring.entries[0].kid) == 0;
	bool stale = false;
	for (size_t i = 1; i < keys->ring.count; i++)
		stale |= keys->ring.entries[i].retired_at <= now - (int64_t)keys->retention_seconds;
	pthread_rwlock_unlock(&keys->lock);
	if (same && !stale)
		return 0;
	struct key_ring fresh;
	if (load_ring(keys, now, &fresh) != STORE_OK)
		return -1;
	pthread_rwlock_wrlock(&keys->lock);
	struct key_ring old = keys->ring;
	keys->ring = fresh;
	pthread_rwlock_unlock(&keys->lock);
	if (!same)
		log_info("tokens: now signing with key %s (%zu keys verify)", fresh.entries[0].kid, fresh.count);
	ring_clear(&old);
	return 0;
}

/* ---- rotation ---- */

struct current_key {
	char kid[SIGNING_KEY_ID_SIZE];
	char *public_pem; /* malloc'd; NULL until found */
	bool unreadable;
};

static int find_current(void *context, const struct signing_key_record *row)
{
	struct current_key *current = context;
	if (row->retired_at != 0)
		return 0;
	EVP_PKEY *key =
	    row->private_pem[0] != '\0' ? key_from_pem(row->private_pem, true) : key_from_pem(row->public_pem, false);
	current->unreadable = key == NULL || strlen(row->kid) >= sizeof(current->kid);
	if (!current->unreadable) {
		snprintf(current->kid, sizeof(current->kid), "%s", row->kid);
		current->public_pem = signing_key_public_pem(key);
		current->unreadable = current->public_pem == NULL;
	}
	EVP_PKEY_free(key);
	return 1; /* newest first: the first current key is the one that signs */
}

enum store_result signing_keys_rotate(struct store *store, int64_t now, int64_t forget_before,
                                      char new_kid[SIGNING_KEY_ID_SIZE], char old_kid[SIGNING_KEY_ID_SIZE])
{
	struct current_key current = {{0}, NULL, false};
	enum store_result result = store->ops->signing_key_list(store, find_current, &current);
	old_kid[0] = '\0';
	if (result == STORE_OK && current.unreadable) {
		log_error("tokens: the current signing key %s cannot be read", current.kid);
		result = STORE_ERROR;
	}
	EVP_PKEY *key = result == STORE_OK ? EVP_EC_gen("P-256") : NULL;
	char *private_pem = key != NULL ? signing_key_private_pem(key) : NULL;
	char *public_pem = key != NULL ? signing_key_public_pem(key) : NULL;
	if (result == STORE_OK && (private_pem == NULL || public_pem == NULL || jwt_key_thumbprint(key, new_kid) != 0))
		result = STORE_ERROR;
	if (result == STORE_OK && current.public_pem == NULL)
		result = store->ops->signing_key_insert(store, new_kid, private_pem, public_pem, now);
	else if (result == STORE_OK)
		result = store->ops->signing_key_rotate(store, current.kid, current.public_pem, new_kid, private_pem,
		                                        public_pem, now, forget_before);
	if (result == STORE_OK)
		memcpy(old_kid, current.kid, SIGNING_KEY_ID_SIZE);
	if (private_pem != NULL)
		OPENSSL_cleanse(private_pem, strlen(private_pem));
	free(private_pem);
	free(public_pem);
	free(current.public_pem);
	EVP_PKEY_free(key);
	return result;
}

/* ---- from a file ---- */

struct signing_keys *signing_keys_from_file(const char *path, char *error, size_t error_size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		snprintf(error, error_size, "cannot open signing key file %s: %s", path, strerror(errno));
		return NULL;
	}
	struct stat status;
	if (fstat(fd, &status) != 0 || !S_ISREG(status.st_mode)) {
		snprintf(error, error_size, "signing key file %s is not a regular file", path);
		close(fd);
		return NULL;
	}
	if ((status.st_mode & 077) != 0) {
		snprintf(error, error_size,
		         "signing key file %s has mode %04o: group and others must have no access (chmod 600 %s)", path,
		         (unsigned)(status.st_mode & 07777), path);
		close(fd);
		return NULL;
	}
	FILE *file = fdopen(fd, "r");
	if (file == NULL) {
		snprintf(error, error_size, "cannot read signing key file %s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	EVP_PKEY *key = PEM_read_PrivateKey(file, NULL, NULL, NULL);
	fclose(file);
	if (key == NULL || !is_p256(key)) {
		snprintf(error, error_size, "signing key file %s does not hold a PEM EC P-256 private key", path);
		EVP_PKEY_free(key);
		return NULL;
	}
	struct signing_keys *keys = keys_new(NULL, 0);
	if (keys == NULL || jwt_key_thumbprint(key, keys->ring.entries[0].kid) != 0) {
		snprintf(error, error_size, "cannot use the key of signing key file %s", path);
		EVP_PKEY_free(key);
		signing_keys_free(keys);
		return NULL;
	}
	keys->ring.entries[0].key = key;
	keys->ring.count = 1;
	return keys;
}

/* ---- use ---- */

EVP_PKEY *signing_keys_current(struct signing_keys *keys, char kid[SIGNING_KEY_ID_SIZE])
{
	pthread_rwlock_rdlock(&keys->lock);
	EVP_PKEY *key = keys->ring.entries[0].key;
	memcpy(kid, keys->ring.entries[0].kid, SIGNING_KEY_ID_SIZE);
	if (EVP_PKEY_up_ref(key) != 1)
		key = NULL;
	pthread_rwlock_unlock(&keys->lock);
	return key;
}

EVP_PKEY *signing_keys_find(struct signing_keys *keys, const char *kid)
{
	EVP_PKEY *key = NULL;
	pthread_rwlock_rdlock(&keys->lock);
	for (size_t i = 0; i < keys->ring.count && key == NULL; i++) {
		if (strcmp(keys->ring.entries[i].kid, kid) == 0) {
			key = keys->ring.entries[i].key;
			if (EVP_PKEY_up_ref(key) != 1)
				key = NULL;
			break;
		}
	}
	pthread_rwlock_unlock(&keys->lock);
	return key;
}

json_t *signing_keys_jwks(struct signing_keys *keys)
{
	json_t *list = json_array();
	if (list == NULL)
		return NULL;
	pthread_rwlock_rdlock(&keys->lock);
	for (size_t i = 0; i < keys->ring.count; i++) {
		json_t *jwk = jwt_public_jwk(keys->ring.entries[i].key, keys->ring.entries[i].kid);
		if (jwk == NULL || json_array_append_new(list, jwk) != 0) {
			json_decref(list);
			list = NULL;
			break;
		}
	}
	pthread_rwlock_unlock(&keys->lock);
	return list != NULL ? json_pack("{s:o}", "keys", list) : NULL;
}
