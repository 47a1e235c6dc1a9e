/* The token service: the shared signing key (loaded from or created in the store), issuing
 * tokens for principals, and verifying bearer tokens through the cache. */
#include "auth/tokens.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/jwt.h"
#include "auth/token_cache.h"
#include "store/store.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/uuid.h"

/* Verified tokens kept: room for every camera of a large fleet to hold its own device token
 * beside the users' and clients' tokens (an entry is about 128 bytes plus the token's copy). */
#define TOKEN_CACHE_SLOTS 65536

struct token_service {
	EVP_PKEY *key;
	char kid[64];
	char issuer[256];
	char audience[64];
	unsigned ttl_seconds;
	struct token_cache *cache;
};

static EVP_PKEY *key_from_pem(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	if (bio == NULL)
		return NULL;
	EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	return key;
}

static char *key_to_pem(EVP_PKEY *key)
{
	BIO *bio = BIO_new(BIO_s_mem());
	if (bio == NULL)
		return NULL;
	char *pem = NULL;
	if (PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) == 1) {
		char *data;
		long length = BIO_get_mem_data(bio, &data);
		pem = malloc((size_t)length + 1);
		if (pem != NULL) {
			memcpy(pem, data, (size_t)length);
			pem[length] = '\0';
		}
	}
	BIO_free(bio);
	return pem;
}

/* Creates a P-256 key and stores it as the first one; NULL when that fails, in particular when
 * another node stored the first key at the same moment (the caller then reads that one). */
static EVP_PKEY *create_and_store_key(struct store *store, char *kid, size_t kid_size)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	if (key == NULL)
		return NULL;
	char *pem = key_to_pem(key);
	char thumbprint[64];
	if (pem == NULL || jwt_key_thumbprint(key, thumbprint) != 0) {
		free(pem);
		EVP_PKEY_free(key);
		return NULL;
	}
	enum store_result result = store->ops->signing_key_insert(store, thumbprint, pem, time_now_seconds());
	free(pem);
	if (result != STORE_OK) {
		if (result == STORE_CONFLICT)
			log_info("tokens: another node created the signing key first; using it");
		EVP_PKEY_free(key);
		return NULL;
	}
	snprintf(kid, kid_size, "%s", thumbprint);
	log_info("tokens: created signing key %s", kid);
	return key;
}

struct token_service *token_service_new(struct store *store, const char *issuer, const char *audience,
					unsigned ttl_seconds)
{
	struct token_service *service = calloc(1, sizeof(*service));
	if (service == NULL)
		return NULL;
	char *pem = NULL;
	enum store_result result = store->ops->signing_key_get(store, service->kid, sizeof(service->kid), &pem);
	if (result == STORE_OK) {
		service->key = key_from_pem(pem);
		free(pem);
	} else if (result == STORE_NOT_FOUND) {
		service->key = create_and_store_key(store, service->kid, sizeof(service->kid));
		if (service->key == NULL &&
		    store->ops->signing_key_get(store, service->kid, sizeof(service->kid), &pem) == STORE_OK) {
			/* another node created the first key at the same moment: every node uses that one */
			service->key = key_from_pem(pem);
			free(pem);
		}
	}
	if (service->key == NULL) {
		log_error("tokens: no usable signing key");
		free(service);
		return NULL;
	}
	service->cache = token_cache_new(TOKEN_CACHE_SLOTS);
	if (service->cache == NULL) {
		token_service_free(service);
		return NULL;
	}
	snprintf(service->issuer, sizeof(service->issuer), "%s", issuer);
	snprintf(service->audience, sizeof(service->audience), "%s", audience);
	service->ttl_seconds = ttl_seconds;
	return service;
}

void token_service_free(struct token_service *service)
{
	if (service == NULL)
		return;
	EVP_PKEY_free(service->key);
	token_cache_free(service->cache);
	free(service);
}

enum token_result token_issue(struct token_service *service, const struct principal *principal, char **token_out,
			      unsigned *expires_in)
{
	char jti[UUID_BUFFER_SIZE];
	if (uuid_generate_text(jti) != 0)
		return TOKEN_INTERNAL;
	int64_t now = time_now_seconds();
	json_t *claims = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s}", "iss", service->issuer, "aud",
				   service->audience, "sub", principal->subject, "role", role_name(principal->role),
				   "kind", principal->kind == SUBJECT_USER ? "user" : "client", "iat", (json_int_t)now,
				   "exp", (json_int_t)(now + service->ttl_seconds), "jti", jti);
	if (claims == NULL)
		return TOKEN_INTERNAL;
	if ((principal->organisation_id[0] != '\0' &&
	     json_object_set_new(claims, "org", json_string(principal->organisation_id)) != 0) ||
	    (principal->role == ROLE_DEVICE &&
	     json_object_set_new(claims, "cred", json_integer((json_int_t)principal->credential_issued_ms)) != 0)) {
		json_decref(claims);
		return TOKEN_INTERNAL;
	}
	*token_out = jwt_sign_es256(service->key, service->kid, claims);
	json_decref(claims);
	if (*token_out == NULL)
		return TOKEN_INTERNAL;
	*expires_in = service->ttl_seconds;
	return TOKEN_OK;
}

/* Reads NumericDate claim name (absent: 0) into *out; false unless it is a number of epoch
 * seconds from 0 to the end of year 9999 (a larger one would not fit an int64_t: converting it is
 * undefined behaviour; found by fuzz/fuzz_jwt). */
static bool date_claim(json_t *claims, const char *name, int64_t *out)
{
	json_t *value = json_object_get(claims, name);
	*out = 0;
	if (value == NULL)
		return true;
	double seconds = json_number_value(value);
	if (!json_is_number(value) || !(seconds >= 0.0 && seconds <= 253402300799.0))
		return false;
	*out = (int64_t)seconds;
	return true;
}

static enum token_result principal_from_claims(json_t *claims, struct principal *out)
{
	const char *sub = json_string_value(json_object_get(claims, "sub"));
	const char *role = json_string_value(json_object_get(claims, "role"));
	const char *kind = json_string_value(json_object_get(claims, "kind"));
	json_t *org = json_object_get(claims, "org");
	memset(out, 0, sizeof(*out));
	out->role = role_from_name(role);
	if (sub == NULL || !uuid_normalize(sub, out->subject) || out->role == ROLE_NONE)
		return TOKEN_BAD_CLAIMS;
	out->kind = kind != NULL && strcmp(kind, "user") == 0 ? SUBJECT_USER : SUBJECT_CLIENT;
	if (org != NULL && !(json_is_string(org) && uuid_normalize(json_string_value(org), out->organisation_id)))
		return TOKEN_BAD_CLAIMS;
	if (out->role != ROLE_OPERATOR && out->organisation_id[0] == '\0' && out->role != ROLE_DEVICE)
		return TOKEN_BAD_CLAIMS;
	if (!date_claim(claims, "exp", &out->expires_at) || !date_claim(claims, "iat", &out->issued_at))
		return TOKEN_BAD_CLAIMS;
	json_t *credential = json_object_get(claims, "cred");
	if (out->role == ROLE_DEVICE && !json_is_integer(credential))
		return TOKEN_BAD_CLAIMS;
	if (out->role == ROLE_DEVICE)
		out->credential_issued_ms = (int64_t)json_integer_value(credential);
	return TOKEN_OK;
}

enum token_result token_verify(struct token_service *service, const char *token, size_t length,
			       struct principal *principal)
{
	int64_t now = time_now_seconds();
	if (token_cache_lookup(service->cache, token, length, now, principal))
		return TOKEN_OK;
	json_t *claims = NULL;
	enum token_result result = jwt_verify_es256(service->key, service->kid, token, length, now, service->issuer,
						    service->audience, &claims);
	if (result != TOKEN_OK)
		return result;
	result = principal_from_claims(claims, principal);
	json_decref(claims);
	if (result == TOKEN_OK)
		token_cache_store(service->cache, token, length, principal);
	return result;
}

json_t *token_jwks(struct token_service *service)
{
	json_t *jwk = jwt_public_jwk(service->key, service->kid);
	if (jwk == NULL)
		return NULL;
	return json_pack("{s:[o]}", "keys", jwk);
}

const char *token_result_text(enum token_result result)
{
	switch (result) {
	case TOKEN_OK:
		return "valid";
	case TOKEN_MALFORMED:
		return "the access token is malformed";
	case TOKEN_BAD_ALGORITHM:
		return "the access token must be signed with ES256 by this server's key";
	case TOKEN_BAD_SIGNATURE:
		return "the access token's signature does not verify";
	case TOKEN_EXPIRED:
		return "the access token has expired";
	case TOKEN_WRONG_AUDIENCE:
		return "the access token was not issued by this server for this API";
	case TOKEN_BAD_CLAIMS:
		return "the access token's claims are incomplete";
	case TOKEN_INTERNAL:
		break;
	}
	return "the access token could not be verified";
}
