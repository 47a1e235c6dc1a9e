/* The token service: the signing keys (auth/signing_keys.c), issuing tokens for principals, and
 * verifying bearer tokens through the cache, then against the subject's revocation stamp. */
#include "auth/tokens.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/jwt.h"
#include "auth/revocation_table.h"
#include "auth/signing_keys.h"
#include "auth/token_cache.h"
#include "auth/token_sync.h"
#include "store/store.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/uuid.h"

/* Verified tokens kept: room for every camera of a large fleet to hold its own device token
 * beside the users' and clients' tokens (an entry is about 128 bytes plus the token's copy). */
#define TOKEN_CACHE_SLOTS 65536

/* Time a stamp or a retired key is kept beyond the token lifetime: for clocks a little apart and
 * for nodes that pick a rotation up a poll later. */
#define TOKEN_RETENTION_MARGIN_SECONDS 60

struct token_service {
	struct signing_keys *keys;
	char issuer[256];
	char audience[64];
	unsigned ttl_seconds;
	struct token_cache *cache;
	struct revocation_table *revocations;
	struct token_sync *sync;
	struct store *store; /* asked by token_confirm_current */
};

struct token_service *token_service_new(struct store *store, struct store_bus *bus, const char *issuer,
                                        const char *audience, unsigned ttl_seconds, const char *signing_key_file)
{
	struct token_service *service = calloc(1, sizeof(*service));
	if (service == NULL)
		return NULL;
	unsigned retention_seconds = ttl_seconds + TOKEN_RETENTION_MARGIN_SECONDS;
	if (signing_key_file != NULL && signing_key_file[0] != '\0') {
		char error[512];
		service->keys = signing_keys_from_file(signing_key_file, error, sizeof(error));
		if (service->keys == NULL)
			log_error("tokens: %s", error);
	} else {
		service->keys = signing_keys_from_store(store, retention_seconds);
	}
	snprintf(service->issuer, sizeof(service->issuer), "%s", issuer);
	snprintf(service->audience, sizeof(service->audience), "%s", audience);
	service->ttl_seconds = ttl_seconds;
	service->store = store;
	if (service->keys == NULL || (service->cache = token_cache_new(TOKEN_CACHE_SLOTS)) == NULL ||
	    (service->revocations = revocation_table_new()) == NULL ||
	    (service->sync = token_sync_start(store, bus, service->revocations, service->keys,
	                                      (int64_t)retention_seconds * 1000)) == NULL) {
		token_service_free(service);
		return NULL;
	}
	return service;
}

void token_service_free(struct token_service *service)
{
	if (service == NULL)
		return;
	token_sync_stop(service->sync);
	revocation_table_free(service->revocations);
	signing_keys_free(service->keys);
	token_cache_free(service->cache);
	free(service);
}

enum token_result token_issue(struct token_service *service, const struct principal *principal, char **token_out,
                              unsigned *expires_in)
{
	char jti[UUID_BUFFER_SIZE];
	if (uuid_generate_text(jti) != 0)
		return TOKEN_INTERNAL;
	int64_t now_ms = time_now_millis();
	int64_t now = now_ms / 1000;
	json_t *claims = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s}", "iss", service->issuer, "aud",
	                           service->audience, "sub", principal->subject, "role", role_name(principal->role),
	                           "kind", principal->kind == SUBJECT_USER ? "user" : "client", "iat", (json_int_t)now,
	                           TOKEN_CLAIM_ISSUED_MS, (json_int_t)now_ms, "exp",
	                           (json_int_t)(now + service->ttl_seconds), "jti", jti);
	if (claims == NULL)
		return TOKEN_INTERNAL;
	if ((principal->organisation_id[0] != '\0' &&
	     json_object_set_new(claims, "org", json_string(principal->organisation_id)) != 0) ||
	    (principal->role == ROLE_DEVICE &&
	     json_object_set_new(claims, "cred", json_integer((json_int_t)principal->credential_issued_ms)) != 0)) {
		json_decref(claims);
		return TOKEN_INTERNAL;
	}
	char kid[SIGNING_KEY_ID_SIZE];
	EVP_PKEY *key = signing_keys_current(service->keys, kid);
	*token_out = key != NULL ? jwt_sign_es256(key, kid, claims) : NULL;
	EVP_PKEY_free(key);
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
	/* The issue time in milliseconds; a token from before the claim existed counts from the start
	 * of its second, so a revocation in that second refuses it. */
	json_t *issued_ms = json_object_get(claims, TOKEN_CLAIM_ISSUED_MS);
	out->issued_ms = json_is_integer(issued_ms) ? (int64_t)json_integer_value(issued_ms) : out->issued_at * 1000;
	json_t *credential = json_object_get(claims, "cred");
	if (out->role == ROLE_DEVICE && !json_is_integer(credential))
		return TOKEN_BAD_CLAIMS;
	if (out->role == ROLE_DEVICE)
		out->credential_issued_ms = (int64_t)json_integer_value(credential);
	return TOKEN_OK;
}

/* Refuses a token issued before its subject's revocation stamp. Device tokens are bound to their
 * credentials' stamp instead (checked by the device endpoints). */
static enum token_result unless_revoked(struct token_service *service, const struct principal *principal)
{
	if (principal->role != ROLE_DEVICE &&
	    revocation_table_refuses(service->revocations, principal->subject, principal->issued_ms))
		return TOKEN_REVOKED;
	return TOKEN_OK;
}

/* Verifies the signature with the key the header's kid names (the current key when it names none). */
static enum token_result verify_signed(struct token_service *service, const char *token, size_t length, int64_t now,
                                       json_t **claims)
{
	char kid[SIGNING_KEY_ID_SIZE];
	if (jwt_header_kid(token, length, kid, sizeof(kid)) != 0)
		return TOKEN_MALFORMED;
	EVP_PKEY *key =
	    kid[0] != '\0' ? signing_keys_find(service->keys, kid) : signing_keys_current(service->keys, kid);
	if (key == NULL)
		return TOKEN_BAD_ALGORITHM;
	enum token_result result =
	    jwt_verify_es256(key, kid, token, length, now, service->issuer, service->audience, claims);
	EVP_PKEY_free(key);
	return result;
}

enum token_result token_verify(struct token_service *service, const char *token, size_t length,
                               struct principal *principal)
{
	int64_t now = time_now_seconds();
	if (token_cache_lookup(service->cache, token, length, now, principal))
		return unless_revoked(service, principal);
	json_t *claims = NULL;
	enum token_result result = verify_signed(service, token, length, now, &claims);
	if (result != TOKEN_OK)
		return result;
	result = principal_from_claims(claims, principal);
	json_decref(claims);
	if (result != TOKEN_OK)
		return result;
	token_cache_store(service->cache, token, length, principal);
	return unless_revoked(service, principal);
}

json_t *token_jwks(struct token_service *service)
{
	return signing_keys_jwks(service->keys);
}

enum token_result token_confirm_current(struct token_service *service, const struct principal *principal)
{
	struct store *store = service->store;
	if (store == NULL || !store->capabilities.shared_by_nodes || principal->role == ROLE_DEVICE)
		return TOKEN_OK;
	int64_t valid_from_ms = 0;
	enum store_result result = store->ops->token_revocation_get(store, principal->subject, &valid_from_ms);
	if (result == STORE_NOT_FOUND || (result == STORE_OK && principal->issued_ms >= valid_from_ms))
		return TOKEN_OK;
	if (result != STORE_OK)
		return TOKEN_INTERNAL;
	if (revocation_table_raise(service->revocations, principal->subject, valid_from_ms) != 0)
		log_error("tokens: no memory to keep %s's revocation here (the next poll will)", principal->subject);
	return TOKEN_REVOKED;
}

int64_t token_revocation_stamp(void)
{
	return time_now_millis() + 1;
}

void token_revoke_subject(struct token_service *service, const char *subject, int64_t valid_from_ms)
{
	if (revocation_table_raise(service->revocations, subject, valid_from_ms) != 0)
		log_error("tokens: no memory to refuse %s's tokens here at once (the next poll will)", subject);
	token_sync_publish_revocation(service->sync, subject, valid_from_ms);
}

const char *token_result_text(enum token_result result)
{
	switch (result) {
	case TOKEN_OK: return "valid";
	case TOKEN_MALFORMED: return "the access token is malformed";
	case TOKEN_BAD_ALGORITHM: return "the access token must be signed with ES256 by this server's key";
	case TOKEN_BAD_SIGNATURE: return "the access token's signature does not verify";
	case TOKEN_EXPIRED: return "the access token has expired";
	case TOKEN_WRONG_AUDIENCE: return "the access token was not issued by this server for this API";
	case TOKEN_BAD_CLAIMS: return "the access token's claims are incomplete";
	case TOKEN_REVOKED:
		return "the access token was revoked: its user or client was deleted or changed since; request a new "
		       "one";
	case TOKEN_INTERNAL: break;
	}
	return "the access token could not be verified";
}
