/* Refresh tokens of the password grant: their text form, a chain's first token and the exchange
 * of one for its successor (auth/refresh_tokens.h). */
#include "auth/refresh_tokens.h"

#include <stdio.h>
#include <string.h>

#include "auth/secret_keys.h"
#include "store/store.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/uuid.h"

#define ID_LENGTH     (UUID_BUFFER_SIZE - 1)
#define SECRET_LENGTH 43 /* base64url of 32 bytes */

static bool is_base64url(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool refresh_token_parse(const char *text, char id[UUID_BUFFER_SIZE], char secret[CLIENT_SECRET_SIZE])
{
	size_t length = strnlen(text, REFRESH_TOKEN_SIZE);
	if (length != ID_LENGTH + 1 + SECRET_LENGTH || text[ID_LENGTH] != '.')
		return false;
	char id_text[UUID_BUFFER_SIZE];
	memcpy(id_text, text, ID_LENGTH);
	id_text[ID_LENGTH] = '\0';
	if (!uuid_normalize(id_text, id))
		return false;
	const char *secret_text = text + ID_LENGTH + 1;
	for (size_t i = 0; i < SECRET_LENGTH; i++)
		if (!is_base64url(secret_text[i]))
			return false;
	memcpy(secret, secret_text, SECRET_LENGTH);
	secret[SECRET_LENGTH] = '\0';
	return true;
}

static enum refresh_result from_store(enum store_result result)
{
	switch (result) {
	case STORE_OK: return REFRESH_OK;
	case STORE_NOT_FOUND: return REFRESH_UNKNOWN;
	case STORE_UNAVAILABLE: return REFRESH_UNAVAILABLE;
	case STORE_CONFLICT:
	case STORE_LIMIT:
	case STORE_ERROR: break;
	}
	return REFRESH_ERROR;
}

/* A fresh token of row's chain (row's chain, user, client and start already filled): its id,
 * its secret's hash in row, its text in out. The secret is wiped from memory. */
static enum refresh_result mint(const struct secret_keys *keys, unsigned ttl_seconds, struct refresh_token *row,
                                struct refresh_grant *out)
{
	char secret[CLIENT_SECRET_SIZE];
	if (uuid_generate_text(row->id) != 0 || password_generate_secret(secret) != 0 ||
	    secret_keys_hash(keys, secret, row->secret_hash) != 0) {
		explicit_bzero(secret, sizeof(secret));
		return REFRESH_ERROR;
	}
	row->issued_at = time_now_seconds();
	row->expires_at = row->issued_at + ttl_seconds;
	row->used_at = 0;
	snprintf(out->token, sizeof(out->token), "%s.%s", row->id, secret);
	out->expires_at = row->expires_at;
	explicit_bzero(secret, sizeof(secret));
	return REFRESH_OK;
}

enum refresh_result refresh_token_begin(struct store *store, const struct secret_keys *keys, const char *user_id,
                                        const char *client_id, int64_t started_ms, unsigned ttl_seconds,
                                        struct refresh_grant *out)
{
	struct refresh_token row = {0};
	if (uuid_generate_text(row.chain_id) != 0)
		return REFRESH_ERROR;
	snprintf(row.user_id, sizeof(row.user_id), "%s", user_id);
	snprintf(row.client_id, sizeof(row.client_id), "%s", client_id);
	row.chain_started_ms = started_ms;
	enum refresh_result result = mint(keys, ttl_seconds, &row, out);
	if (result == REFRESH_OK)
		result = from_store(store->ops->refresh_token_insert(store, &row));
	if (result != REFRESH_OK)
		explicit_bzero(out->token, sizeof(out->token));
	return result;
}

/* The stored row of text when its secret matches; REFRESH_UNKNOWN otherwise, after as much work. */
static enum refresh_result load_matching(struct store *store, const struct secret_keys *keys, const char *text,
                                         struct refresh_token *row)
{
	char id[UUID_BUFFER_SIZE], secret[CLIENT_SECRET_SIZE];
	if (!refresh_token_parse(text, id, secret))
		return REFRESH_UNKNOWN;
	enum store_result found = store->ops->refresh_token_get(store, id, row);
	enum secret_mac_check checked = found == STORE_OK ? secret_keys_check(keys, row->secret_hash, secret)
	                                                  : secret_keys_check_nothing(keys, secret);
	explicit_bzero(secret, sizeof(secret));
	if (found != STORE_OK && found != STORE_NOT_FOUND)
		return from_store(found);
	if (checked == SECRET_MAC_CHECK_ERROR)
		return REFRESH_ERROR;
	return found == STORE_OK && checked == SECRET_MAC_MATCH ? REFRESH_OK : REFRESH_UNKNOWN;
}

/* The token was used before: whoever holds either copy may be a thief, so the chain ends. */
static enum refresh_result revoke_reused(struct store *store, const struct refresh_token *row)
{
	if (store->ops->refresh_token_revoke_chain(store, row->chain_id) != STORE_OK)
		log_error("oauth: cannot revoke the refresh-token chain %s of user %s after a reuse", row->chain_id,
		          row->user_id);
	else
		log_warn("oauth: a used refresh token of user %s was presented again; its chain %s is revoked",
		         row->user_id, row->chain_id);
	return REFRESH_REUSED;
}

enum refresh_result refresh_token_exchange(struct store *store, const struct secret_keys *keys, const char *text,
                                           const char *client_id, unsigned ttl_seconds, struct refresh_grant *out,
                                           struct user *user)
{
	struct refresh_token row;
	enum refresh_result result = load_matching(store, keys, text, &row);
	if (result != REFRESH_OK)
		return result;
	if (row.used_at != 0)
		return revoke_reused(store, &row);
	if (row.expires_at <= time_now_seconds())
		return REFRESH_EXPIRED;
	if (strcmp(row.client_id, client_id) != 0)
		return REFRESH_WRONG_CLIENT;
	result = from_store(store->ops->user_get(store, row.user_id, user));
	if (result != REFRESH_OK)
		return result;
	struct refresh_token next = row;
	result = mint(keys, ttl_seconds, &next, out);
	if (result != REFRESH_OK)
		return result;
	enum store_result rotated = store->ops->refresh_token_rotate(store, row.id, next.issued_at, &next);
	if (rotated == STORE_CONFLICT) /* a concurrent exchange of the same token won */
		result = revoke_reused(store, &row);
	else
		result = from_store(rotated);
	if (result != REFRESH_OK)
		explicit_bzero(out->token, sizeof(out->token));
	return result;
}

const char *refresh_result_text(enum refresh_result result)
{
	switch (result) {
	case REFRESH_OK: return "ok";
	case REFRESH_UNKNOWN: return "unknown or revoked refresh token";
	case REFRESH_EXPIRED: return "the refresh token expired; sign in again with the password grant";
	case REFRESH_REUSED:
		return "the refresh token was already used; every refresh token of this sign-in is now revoked";
	case REFRESH_WRONG_CLIENT: return "the refresh token was issued to another client_id";
	case REFRESH_UNAVAILABLE: return "the database is unavailable; retry shortly";
	case REFRESH_ERROR: break;
	}
	return "internal error";
}
