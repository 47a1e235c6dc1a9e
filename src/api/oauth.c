/* OAuth 2.0 (RFC 6749): the token endpoint with the client_credentials, password and
 * refresh_token grants (the password grant also hands out a rotating refresh token,
 * auth/refresh_tokens.h), the JWKS that publishes the signing key, and the authorization-server
 * metadata (RFC 8414).
 * Errors follow RFC 6749 section 5.2 and also carry camfleet's {code, message}. Failed grants
 * are rate limited (http/rate_limit.h): a locked-out attempt gets 429 before any check. Client
 * secrets stored as keyed hashes (auth/secret_keys.h) are checked here, in microseconds; argon2id
 * checks (user passwords, and client secrets still stored the legacy way, rewritten in the keyed
 * form on their first successful check) run on the checker threads (api/password_checks.h). */
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/common.h"
#include "api/routes.h"
#include "api/password_checks.h"
#include "auth/password.h"
#include "auth/refresh_tokens.h"
#include "auth/secret_keys.h"
#include "auth/tokens.h"
#include "http/rate_limit.h"
#include "util/log.h"
#include "util/timeutil.h"

#define FORM_VALUE_MAX 512

struct token_form {
	char grant_type[64];
	char client_id[FORM_VALUE_MAX];
	char client_secret[FORM_VALUE_MAX];
	char username[FORM_VALUE_MAX];
	char password[FORM_VALUE_MAX];
	char refresh_token[FORM_VALUE_MAX];
	bool too_long;
};

static enum MHD_Result collect_field(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
                                     const char *content_type, const char *transfer_encoding, const char *data,
                                     uint64_t offset, size_t size)
{
	struct token_form *form = cls;
	char *target = NULL;
	size_t capacity = FORM_VALUE_MAX;
	if (strcmp(key, "grant_type") == 0) {
		target = form->grant_type;
		capacity = sizeof(form->grant_type);
	} else if (strcmp(key, "client_id") == 0) {
		target = form->client_id;
	} else if (strcmp(key, "client_secret") == 0) {
		target = form->client_secret;
	} else if (strcmp(key, "username") == 0) {
		target = form->username;
	} else if (strcmp(key, "password") == 0) {
		target = form->password;
	} else if (strcmp(key, "refresh_token") == 0) {
		target = form->refresh_token;
	}
	if (target == NULL)
		return MHD_YES; /* scope and other parameters are accepted and ignored */
	if (offset + size >= capacity) {
		form->too_long = true;
		return MHD_YES;
	}
	memcpy(target + offset, data, size);
	target[offset + size] = '\0';
	return MHD_YES;
}

static enum MHD_Result oauth_error(struct http_request *request, unsigned status, const char *error,
                                   const char *description)
{
	http_reply_add_header(request, "Cache-Control", "no-store");
	json_t *body = json_pack("{s:s, s:s, s:i, s:s}", "error", error, "error_description", description, "code",
	                         (int)status, "message", description);
	return http_reply_json(request, status, body);
}

static enum MHD_Result invalid_client(struct http_request *request, const char *description)
{
	http_reply_add_header(request, "WWW-Authenticate", "Basic realm=\"camfleet\"");
	return oauth_error(request, 401, "invalid_client", description);
}

/* Equalises the time of a failed user lookup with that of a wrong password. Made on first need
 * (and again should the argon2 gate have been full then). */
static char dummy_hash[PASSWORD_HASH_SIZE];
static pthread_mutex_t dummy_hash_lock = PTHREAD_MUTEX_INITIALIZER;

/* The dummy hash, or NULL when it cannot be made now. */
static const char *timing_equaliser_hash(void)
{
	pthread_mutex_lock(&dummy_hash_lock);
	if (dummy_hash[0] == '\0' && password_hash("camfleet-timing-equaliser", dummy_hash) != 0)
		dummy_hash[0] = '\0';
	bool made = dummy_hash[0] != '\0';
	pthread_mutex_unlock(&dummy_hash_lock);
	return made ? dummy_hash : NULL;
}

/* Answers 200 with an access token for principal, and refresh (NULL: none) beside it. */
static enum MHD_Result issue(struct http_request *request, const struct principal *principal,
                             const struct refresh_grant *refresh)
{
	char *token = NULL;
	unsigned expires_in = 0;
	if (token_issue(request->app->tokens, principal, &token, &expires_in) != TOKEN_OK) {
		log_error("oauth: cannot sign a token for %s", principal->subject);
		return http_reply_error(request, 500, "internal error");
	}
	json_t *body =
	    json_pack("{s:s, s:s, s:i}", "access_token", token, "token_type", "Bearer", "expires_in", (int)expires_in);
	free(token);
	if (body != NULL && refresh != NULL &&
	    json_object_set_new(body, "refresh_token", json_string(refresh->token)) != 0) {
		json_decref(body);
		body = NULL;
	}
	http_reply_add_header(request, "Cache-Control", "no-store");
	http_reply_add_header(request, "Pragma", "no-cache");
	return http_reply_json(request, 200, body);
}

/* A grant waiting for its password check (request arena memory). */
struct pending_grant {
	enum password_check result; /* first: the checker writes it through resume_context */
	enum login_kind kind;
	bool known;         /* the user or client exists (else the check ran on the dummy hash) */
	int64_t started_ms; /* when the user was last read: a refresh-token chain begins then */
	struct principal principal;
	char client_id[REFRESH_CLIENT_ID_MAX + 1]; /* password grant: the client_id given, "" none */
	char identity[FORM_VALUE_MAX];             /* the username or client id, for the failure counts */
	/* A client secret's legacy argon2id hash, rewritten as keyed_hash once it matched; "" else. */
	char legacy_hash[SECRET_HASH_MAX + 1];
	char keyed_hash[SECRET_MAC_HASH_SIZE];
	char password_hash[SECRET_HASH_MAX + 1]; /* password grant: the user's hash the check ran on */
};

_Static_assert(offsetof(struct pending_grant, result) == 0, "resume_context points at result");

/* Replaces the client's legacy argon2id hash by the keyed one, unless its credentials changed
 * meanwhile. A failure only leaves the legacy hash for the next use: the secret was right. */
static void rehash_legacy_secret(struct store *store, const struct pending_grant *grant)
{
	const char *id = grant->principal.subject;
	enum store_result result = store->ops->client_secret_rehash(store, id, grant->legacy_hash, grant->keyed_hash);
	if (result == STORE_OK)
		log_info("oauth: the argon2id secret hash of client %s is now a keyed hash", id);
	else if (result != STORE_NOT_FOUND)
		log_warn("oauth: cannot rewrite the argon2id secret hash of client %s; it stays until its next use",
		         id);
}

/* Answers an error of the refresh_token grant, or of a chain that could not begin. */
static enum MHD_Result refresh_failed(struct http_request *request, enum refresh_result result)
{
	switch (result) {
	case REFRESH_UNKNOWN:
	case REFRESH_EXPIRED:
	case REFRESH_REUSED:
	case REFRESH_WRONG_CLIENT: return oauth_error(request, 400, "invalid_grant", refresh_result_text(result));
	case REFRESH_UNAVAILABLE: return api_store_failure(request, STORE_UNAVAILABLE, "refresh token", NULL);
	case REFRESH_OK:
	case REFRESH_ERROR: break;
	}
	return http_reply_error(request, 500, "internal error");
}

/* The password grant succeeded: a refresh-token chain begins with the access token. */
static enum MHD_Result issue_with_refresh(struct http_request *request, const struct pending_grant *grant)
{
	struct refresh_grant refresh;
	enum refresh_result result = refresh_token_begin(request->app->store, request->app->secret_keys,
	                                                 grant->principal.subject, grant->client_id, grant->started_ms,
	                                                 request->app->config.refresh_token_ttl_seconds, &refresh);
	if (result == REFRESH_UNKNOWN) /* deleted, or its password or role changed, since the check */
		return oauth_error(request, 400, "invalid_grant", "unknown user or wrong password");
	if (result != REFRESH_OK) {
		log_error("oauth: cannot begin a refresh token for user %s: %s", grant->principal.subject,
		          refresh_result_text(result));
		return refresh_failed(request, result);
	}
	enum MHD_Result answer = issue(request, &grant->principal, &refresh);
	explicit_bzero(refresh.token, sizeof(refresh.token));
	return answer;
}

/* The password matched the user as read when the grant arrived, some milliseconds ago. The user is
 * read again now, so that a change meanwhile (role, organisation) is signed in as it stands, not
 * from stale data — and the revocation such a change wrote, which is older than this read, does
 * not refuse the sign-in; a new password or a deletion meanwhile refuses it. False: answered. */
static bool user_as_it_stands_or_reply(struct http_request *request, struct pending_grant *grant)
{
	struct store *store = request->app->store;
	grant->started_ms = time_now_millis();
	struct user user;
	enum store_result result = store->ops->user_get(store, grant->principal.subject, &user);
	if (result == STORE_NOT_FOUND ||
	    (result == STORE_OK && strcmp(user.password_hash, grant->password_hash) != 0)) {
		oauth_error(request, 400, "invalid_grant", "unknown user or wrong password");
		return false;
	}
	if (result != STORE_OK) {
		api_store_failure(request, result, "user", NULL);
		return false;
	}
	grant->principal.role = user.role;
	memcpy(grant->principal.organisation_id, user.organisation_id, sizeof(grant->principal.organisation_id));
	return true;
}

/* Runs once the secret is checked: answers the grant. */
static enum MHD_Result finish_grant(struct http_request *request)
{
	struct pending_grant *grant = request->resume_context;
	if (grant->result == PASSWORD_CHECK_BUSY || grant->result == PASSWORD_CHECK_FAILED)
		return rate_limit_reply_busy(request); /* 503 with Retry-After: nothing was decided */
	if (!grant->known || grant->result != PASSWORD_MATCH) {
		rate_limit_login_failed(request, grant->kind, grant->identity);
		request->login_failed = grant->identity; /* the access log names it */
		request->login_failed_client = grant->kind == LOGIN_CLIENT;
		if (grant->kind == LOGIN_CLIENT)
			return invalid_client(request, "unknown client or wrong client secret");
		return oauth_error(request, 400, "invalid_grant", "unknown user or wrong password");
	}
	rate_limit_login_succeeded(request, grant->kind, grant->identity);
	if (grant->kind == LOGIN_USER && !user_as_it_stands_or_reply(request, grant))
		return http_replied(request);
	request->principal = grant->principal; /* the access log names who signed in */
	if (grant->legacy_hash[0] != '\0')
		rehash_legacy_secret(request->app->store, grant);
	if (grant->kind == LOGIN_USER && request->app->config.refresh_token_ttl_seconds > 0)
		return issue_with_refresh(request, grant);
	return issue(request, &grant->principal, NULL);
}

/* Checks secret against hash (NULL: the dummy hash) off the HTTP thread, then finish_grant
 * answers; 503 when no check can be queued. */
static enum MHD_Result check_then_finish(struct http_request *request, struct pending_grant *grant, const char *hash,
                                         const char *secret)
{
	if (hash == NULL)
		hash = timing_equaliser_hash();
	if (hash == NULL)
		return rate_limit_reply_busy(request);
	struct password_checks *checks = request->app->password_checks;
	if (checks == NULL) { /* no checker threads: check here */
		grant->result = password_check(hash, secret);
		request->resume_context = grant;
		return finish_grant(request);
	}
	switch (password_checks_submit(checks, request, hash, secret, &grant->result, finish_grant)) {
	case PASSWORD_CHECKS_QUEUED: return MHD_YES;
	case PASSWORD_CHECKS_FULL:
	case PASSWORD_CHECKS_CLOSED: break;
	}
	return rate_limit_reply_busy(request);
}

/* Checks secret against a keyed hash (NULL: the client is unknown) here on the HTTP thread, then
 * finish_grant answers: as cheap for an unknown client as for a wrong secret. */
static enum MHD_Result check_keyed_then_finish(struct http_request *request, struct pending_grant *grant,
                                               const char *keyed_hash, const char *secret)
{
	const struct secret_keys *keys = request->app->secret_keys;
	enum secret_mac_check checked =
	    keyed_hash != NULL ? secret_keys_check(keys, keyed_hash, secret) : secret_keys_check_nothing(keys, secret);
	if (checked == SECRET_MAC_CHECK_ERROR) {
		log_error("oauth: cannot compute a secret hash (OpenSSL)");
		return http_reply_error(request, 500, "internal error");
	}
	grant->result = checked == SECRET_MAC_MATCH ? PASSWORD_MATCH : PASSWORD_MISMATCH;
	request->resume_context = grant;
	return finish_grant(request);
}

static struct pending_grant *pending_grant_new(struct http_request *request, enum login_kind kind, const char *identity)
{
	struct pending_grant *grant = arena_alloc(&request->arena, sizeof(*grant));
	if (grant == NULL)
		return NULL;
	memset(grant, 0, sizeof(*grant));
	grant->kind = kind;
	grant->started_ms = time_now_millis();
	snprintf(grant->identity, sizeof(grant->identity), "%s", identity);
	return grant;
}

static enum MHD_Result grant_client_credentials(struct http_request *request, struct token_form *form)
{
	char *basic_password = NULL;
	char *basic_user = MHD_basic_auth_get_username_password(request->connection, &basic_password);
	char client_id[FORM_VALUE_MAX], secret[FORM_VALUE_MAX];
	if (basic_user != NULL) {
		snprintf(client_id, sizeof(client_id), "%s", basic_user);
		snprintf(secret, sizeof(secret), "%s", basic_password ? basic_password : "");
	} else {
		snprintf(client_id, sizeof(client_id), "%s", form->client_id);
		snprintf(secret, sizeof(secret), "%s", form->client_secret);
	}
	if (basic_user != NULL)
		MHD_free(basic_user);
	if (basic_password != NULL)
		MHD_free(basic_password);
	if (client_id[0] == '\0' || secret[0] == '\0')
		return invalid_client(request,
		                      "client authentication is required: HTTP Basic or client_id and client_secret");
	if (!rate_limit_login_admit_or_reply(request, LOGIN_CLIENT, client_id))
		return http_replied(request);

	struct store *store = request->app->store;
	struct client client;
	char normalized[UUID_BUFFER_SIZE];
	enum store_result result = STORE_NOT_FOUND;
	if (uuid_normalize(client_id, normalized))
		result = store->ops->client_get(store, normalized, &client);
	if (result != STORE_OK && result != STORE_NOT_FOUND)
		return api_store_failure(request, result, "client", NULL);
	struct pending_grant *grant = pending_grant_new(request, LOGIN_CLIENT, client_id);
	if (grant == NULL)
		return http_reply_error(request, 500, "internal error");
	if (result == STORE_NOT_FOUND)
		return check_keyed_then_finish(request, grant, NULL, secret);
	grant->known = true;
	grant->principal.role = client.role;
	grant->principal.kind = SUBJECT_CLIENT;
	memcpy(grant->principal.subject, client.id, sizeof(grant->principal.subject));
	memcpy(grant->principal.organisation_id, client.organisation_id, sizeof(grant->principal.organisation_id));
	grant->principal.credential_issued_ms = client.secret_issued_ms; /* binds a device token to these credentials */
	if (secret_mac_is_keyed(client.secret_hash))
		return check_keyed_then_finish(request, grant, client.secret_hash, secret);
	/* a legacy argon2id hash: its keyed successor is made now, so that the secret itself is not kept */
	if (secret_keys_hash(request->app->secret_keys, secret, grant->keyed_hash) == 0)
		memcpy(grant->legacy_hash, client.secret_hash, sizeof(grant->legacy_hash));
	return check_then_finish(request, grant, client.secret_hash, secret);
}

/* A public client's client_id (RFC 6749 section 2.2): at most REFRESH_CLIENT_ID_MAX characters of
 * %x20-7E; "" when none was given. */
static bool client_id_or_reply(struct http_request *request, const char *client_id)
{
	size_t length = strlen(client_id);
	bool printable = true;
	for (size_t i = 0; i < length; i++)
		printable = printable && client_id[i] >= 0x20 && client_id[i] <= 0x7e;
	if (length <= REFRESH_CLIENT_ID_MAX && printable)
		return true;
	oauth_error(request, 400, "invalid_request", "'client_id' must be at most 128 printable ASCII characters");
	return false;
}

static enum MHD_Result grant_password(struct http_request *request, struct token_form *form)
{
	if (form->username[0] == '\0' || form->password[0] == '\0')
		return oauth_error(request, 400, "invalid_request",
		                   "the password grant needs 'username' and 'password'");
	if (!client_id_or_reply(request, form->client_id))
		return http_replied(request);
	if (!rate_limit_login_admit_or_reply(request, LOGIN_USER, form->username))
		return http_replied(request);
	struct store *store = request->app->store;
	struct user user;
	enum store_result result = store->ops->user_get_by_email(store, form->username, &user);
	if (result != STORE_OK && result != STORE_NOT_FOUND)
		return api_store_failure(request, result, "user", NULL);
	struct pending_grant *grant = pending_grant_new(request, LOGIN_USER, form->username);
	if (grant == NULL)
		return http_reply_error(request, 500, "internal error");
	memcpy(grant->client_id, form->client_id, strlen(form->client_id) + 1); /* checked: it fits */
	if (result == STORE_NOT_FOUND)
		return check_then_finish(request, grant, NULL, form->password);
	grant->known = true;
	memcpy(grant->password_hash, user.password_hash, sizeof(grant->password_hash));
	grant->principal.role = user.role;
	grant->principal.kind = SUBJECT_USER;
	memcpy(grant->principal.subject, user.id, sizeof(grant->principal.subject));
	memcpy(grant->principal.organisation_id, user.organisation_id, sizeof(grant->principal.organisation_id));
	return check_then_finish(request, grant, user.password_hash, form->password);
}

/* Failures count against the token's id (or its text, when it has none) and the source address,
 * as a password grant's count against the username. */
static enum MHD_Result grant_refresh_token(struct http_request *request, struct token_form *form)
{
	if (form->refresh_token[0] == '\0')
		return oauth_error(request, 400, "invalid_request", "the refresh_token grant needs 'refresh_token'");
	if (!client_id_or_reply(request, form->client_id))
		return http_replied(request);
	char identity[FORM_VALUE_MAX];
	snprintf(identity, sizeof(identity), "refresh:%.*s", UUID_BUFFER_SIZE - 1, form->refresh_token);
	if (!rate_limit_login_admit_or_reply(request, LOGIN_USER, identity))
		return http_replied(request);
	const struct app *app = request->app;
	struct refresh_grant refresh;
	struct user user;
	enum refresh_result result =
	    refresh_token_exchange(app->store, app->secret_keys, form->refresh_token, form->client_id,
	                           app->config.refresh_token_ttl_seconds, &refresh, &user);
	explicit_bzero(form->refresh_token, sizeof(form->refresh_token));
	if (result == REFRESH_UNAVAILABLE || result == REFRESH_ERROR)
		return refresh_failed(request, result);
	if (result != REFRESH_OK) {
		rate_limit_login_failed(request, LOGIN_USER, identity);
		return refresh_failed(request, result);
	}
	rate_limit_login_succeeded(request, LOGIN_USER, identity);
	struct principal principal = {.role = user.role, .kind = SUBJECT_USER};
	memcpy(principal.subject, user.id, sizeof(principal.subject));
	memcpy(principal.organisation_id, user.organisation_id, sizeof(principal.organisation_id));
	enum MHD_Result answer = issue(request, &principal, &refresh);
	explicit_bzero(refresh.token, sizeof(refresh.token));
	return answer;
}

static enum MHD_Result post_token(struct http_request *request)
{
	struct token_form form = {0};
	const char *content_type = http_header(request, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (content_type == NULL || strncasecmp(content_type, "application/x-www-form-urlencoded", 33) != 0)
		return oauth_error(request, 400, "invalid_request",
		                   "the token request must be sent as application/x-www-form-urlencoded");
	if (request->body_length > 0) {
		struct MHD_PostProcessor *parser =
		    MHD_create_post_processor(request->connection, 1024, collect_field, &form);
		if (parser == NULL)
			return oauth_error(request, 400, "invalid_request", "the token request body cannot be parsed");
		enum MHD_Result parsed = MHD_post_process(parser, request->body, request->body_length);
		MHD_destroy_post_processor(parser);
		if (parsed != MHD_YES)
			return oauth_error(request, 400, "invalid_request", "the token request body cannot be parsed");
	}
	if (form.too_long)
		return oauth_error(request, 400, "invalid_request", "a parameter of the token request is too long");
	if (form.grant_type[0] == '\0')
		return oauth_error(request, 400, "invalid_request", "parameter 'grant_type' is required");
	if (strcmp(form.grant_type, "client_credentials") == 0)
		return grant_client_credentials(request, &form);
	if (strcmp(form.grant_type, "password") == 0)
		return grant_password(request, &form);
	if (strcmp(form.grant_type, "refresh_token") == 0 && request->app->config.refresh_token_ttl_seconds > 0)
		return grant_refresh_token(request, &form);
	return oauth_error(request, 400, "unsupported_grant_type",
	                   request->app->config.refresh_token_ttl_seconds > 0
	                       ? "'grant_type' must be client_credentials, password or refresh_token"
	                       : "'grant_type' must be client_credentials or password");
}

static enum MHD_Result get_jwks(struct http_request *request)
{
	http_reply_add_header(request, "Cache-Control", "public, max-age=300");
	return http_reply_json(request, 200, token_jwks(request->app->tokens));
}

static enum MHD_Result get_metadata(struct http_request *request)
{
	/* Built from --public-url, never from the Host header a client sends. */
	const char *base = request->app->config.public_url;
	char token_endpoint[600], jwks_uri[600];
	snprintf(token_endpoint, sizeof(token_endpoint), "%s/oauth/token", base);
	snprintf(jwks_uri, sizeof(jwks_uri), "%s/.well-known/jwks.json", base);
	json_t *grants = json_pack("[s,s]", "client_credentials", "password");
	if (grants != NULL && request->app->config.refresh_token_ttl_seconds > 0 &&
	    json_array_append_new(grants, json_string("refresh_token")) != 0) {
		json_decref(grants);
		grants = NULL;
	}
	json_t *body = json_pack("{s:s, s:s, s:s, s:o, s:[s,s], s:[]}", "issuer", request->app->config.issuer,
	                         "token_endpoint", token_endpoint, "jwks_uri", jwks_uri, "grant_types_supported",
	                         grants, "token_endpoint_auth_methods_supported", "client_secret_basic",
	                         "client_secret_post", "response_types_supported");
	return http_reply_json(request, 200, body);
}

const struct route oauth_routes[] = {
    {.method = "POST",
     .pattern = "/oauth/token",
     .handler = post_token,
     .flags = ROUTE_PUBLIC | ROUTE_ON_HTTP_THREAD}, /* checks secrets suspended (api/password_checks.c) */
    {.method = "GET", .pattern = "/.well-known/jwks.json", .handler = get_jwks, .flags = ROUTE_PUBLIC},
    {.method = "GET",
     .pattern = "/.well-known/oauth-authorization-server",
     .handler = get_metadata,
     .flags = ROUTE_PUBLIC},
    {.method = NULL},
};
