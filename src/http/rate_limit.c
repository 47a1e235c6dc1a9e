/* The node's rate limits and their HTTP answers. API requests: one lock-free token-bucket take
 * per limit (http/rate_limit_table.c), no allocation but the RateLimit field's few bytes in the
 * request arena. Logins: failure records (auth/login_guard.c) consulted before any argon2 work. */
#include "http/rate_limit.h"

#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "auth/login_guard.h"
#include "http/rate_limit_table.h"
#include "http/reply.h"
#include "util/hash.h"
#include "util/log.h"
#include "util/timeutil.h"

#define API_TABLE_SLOTS        (64 * 1024) /* buckets per limit: 1 MiB each */
#define LOGIN_TABLE_SLOTS      (16 * 1024) /* failure records per kind: 384 KiB each */
#define LOGIN_WINDOW_MS        (15 * 60 * 1000ull)
#define LOGIN_FIRST_LOCKOUT_MS 1000ull
#define LOGIN_MAX_LOCKOUT_MS   (15 * 60 * 1000ull)
#define POLICY_TEXT_SIZE       160
#define NANOS_PER_SECOND       1000000000ull

struct rate_limits {
	uint64_t seed; /* keys are seeded hashes: nobody can choose keys that share a group */
	unsigned client_rate, organisation_rate;
	struct token_bucket_policy client_policy, organisation_policy;
	struct rate_limit_table *clients, *organisations; /* NULL when that limit is off */
	struct login_guard *users, *client_ids, *addresses;
	char api_policy[POLICY_TEXT_SIZE];      /* RateLimit-Policy of API answers */
	char login_policy[2][POLICY_TEXT_SIZE]; /* RateLimit-Policy of token answers, per login_kind */
};

static const char *const login_kind_names[] = {[LOGIN_USER] = "user", [LOGIN_CLIENT] = "client"};

static void append(char *text, size_t size, const char *name, uint64_t quota, uint64_t window_seconds)
{
	size_t used = strlen(text);
	snprintf(text + used, size - used, "%s\"%s\";q=%llu;w=%llu", used > 0 ? ", " : "", name,
	         (unsigned long long)quota, (unsigned long long)window_seconds);
}

static struct login_guard *login_guard_for(unsigned free_failures)
{
	struct failure_policy policy = {free_failures, LOGIN_WINDOW_MS, LOGIN_FIRST_LOCKOUT_MS, LOGIN_MAX_LOCKOUT_MS};
	return login_guard_new(LOGIN_TABLE_SLOTS, &policy);
}

struct rate_limits *rate_limits_new(const struct app_config *config)
{
	struct rate_limits *limits = calloc(1, sizeof(*limits));
	if (limits == NULL)
		return NULL;
	if (getrandom(&limits->seed, sizeof(limits->seed), 0) != sizeof(limits->seed))
		limits->seed = (uint64_t)time_monotonic_nanos() * 0x9e3779b97f4a7c15ull;
	limits->client_rate = config->rate_limit_client;
	limits->organisation_rate = config->rate_limit_organisation;
	limits->client_policy = token_bucket_policy_make(config->rate_limit_client, config->rate_limit_client);
	limits->organisation_policy =
	    token_bucket_policy_make(config->rate_limit_organisation, config->rate_limit_organisation);
	bool failed = false;
	if (limits->client_rate > 0) {
		limits->clients = rate_limit_table_new(API_TABLE_SLOTS);
		failed |= limits->clients == NULL;
		append(limits->api_policy, POLICY_TEXT_SIZE, "client", limits->client_rate, 1);
	}
	if (limits->organisation_rate > 0) {
		limits->organisations = rate_limit_table_new(API_TABLE_SLOTS);
		failed |= limits->organisations == NULL;
		append(limits->api_policy, POLICY_TEXT_SIZE, "organisation", limits->organisation_rate, 1);
	}
	limits->users = login_guard_for(config->login_failures_per_user);
	limits->client_ids = login_guard_for(config->login_failures_per_user);
	limits->addresses = login_guard_for(config->login_failures_per_address);
	failed |= limits->users == NULL || limits->client_ids == NULL || limits->addresses == NULL;
	for (int kind = LOGIN_USER; kind <= LOGIN_CLIENT; kind++) {
		if (config->login_failures_per_user > 0)
			append(limits->login_policy[kind], POLICY_TEXT_SIZE, login_kind_names[kind],
			       config->login_failures_per_user, LOGIN_WINDOW_MS / 1000);
		if (config->login_failures_per_address > 0)
			append(limits->login_policy[kind], POLICY_TEXT_SIZE, "address",
			       config->login_failures_per_address, LOGIN_WINDOW_MS / 1000);
	}
	if (failed) {
		rate_limits_free(limits);
		return NULL;
	}
	return limits;
}

void rate_limits_free(struct rate_limits *limits)
{
	if (limits == NULL)
		return;
	rate_limit_table_free(limits->clients);
	rate_limit_table_free(limits->organisations);
	login_guard_free(limits->users);
	login_guard_free(limits->client_ids);
	login_guard_free(limits->addresses);
	free(limits);
}

/* Whole seconds, rounded up. */
static uint64_t seconds_from_nanos(uint64_t nanos)
{
	return (nanos + NANOS_PER_SECOND - 1) / NANOS_PER_SECOND;
}

static uint64_t seconds_from_millis(uint64_t millis)
{
	return (millis + 999) / 1000;
}

/* Adds the RateLimit-Policy field and the RateLimit field (rate_text, arena or static). */
static void add_fields(struct http_request *request, const char *policy, const char *rate_text)
{
	if (policy[0] == '\0')
		return;
	http_reply_add_header(request, "RateLimit-Policy", policy);
	if (rate_text != NULL)
		http_reply_add_header(request, "RateLimit", rate_text);
}

static void add_retry_after(struct http_request *request, uint64_t seconds)
{
	char *text = arena_printf(&request->arena, "%llu", (unsigned long long)(seconds > 0 ? seconds : 1));
	http_reply_add_header(request, MHD_HTTP_HEADER_RETRY_AFTER, text != NULL ? text : "1");
}

/* --- the API ------------------------------------------------------------------------------- */

struct bucket_report {
	bool present;
	struct token_bucket_decision decision;
};

static char *api_rate_text(struct http_request *request, const struct bucket_report *client,
                           const struct bucket_report *organisation)
{
	char text[POLICY_TEXT_SIZE] = "";
	size_t used = 0;
	const struct bucket_report *reports[2] = {client, organisation};
	static const char *const names[2] = {"client", "organisation"};
	for (int i = 0; i < 2; i++) {
		if (!reports[i]->present)
			continue;
		used +=
		    (size_t)snprintf(text + used, sizeof(text) - used, "%s\"%s\";r=%llu;t=%llu", used > 0 ? ", " : "",
		                     names[i], (unsigned long long)reports[i]->decision.remaining,
		                     (unsigned long long)seconds_from_nanos(reports[i]->decision.full_after_ns));
		if (used >= sizeof(text))
			return NULL;
	}
	return arena_strdup(&request->arena, text);
}

static bool refuse(struct http_request *request, const struct bucket_report *client,
                   const struct bucket_report *organisation, const char *scope, unsigned rate, uint64_t retry_ns)
{
	struct rate_limits *limits = request->app->limits;
	uint64_t seconds = seconds_from_nanos(retry_ns);
	add_fields(request, limits->api_policy, api_rate_text(request, client, organisation));
	add_retry_after(request, seconds);
	http_reply_error(request, 429,
	                 "rate limit exceeded: at most %u requests per second per %s on this node; retry after %llu s",
	                 rate, scope, (unsigned long long)(seconds > 0 ? seconds : 1));
	return false;
}

bool rate_limit_admit_or_reply(struct http_request *request)
{
	struct rate_limits *limits = request->app->limits;
	const struct principal *principal = &request->principal;
	if (limits == NULL || principal->role == ROLE_OPERATOR || limits->api_policy[0] == '\0')
		return true;
	uint64_t now = time_monotonic_nanos();
	struct bucket_report client = {0}, organisation = {0};
	if (limits->clients != NULL) {
		uint64_t key = hash_bytes_seeded(limits->seed, principal->subject, strlen(principal->subject));
		client.present = true;
		client.decision = rate_limit_table_take(limits->clients, key, now, &limits->client_policy);
		if (!client.decision.admitted)
			return refuse(request, &client, &organisation, "client", limits->client_rate,
			              client.decision.retry_after_ns);
	}
	if (limits->organisations != NULL && principal->organisation_id[0] != '\0') {
		uint64_t key =
		    hash_bytes_seeded(limits->seed ^ 1, principal->organisation_id, strlen(principal->organisation_id));
		organisation.present = true;
		organisation.decision =
		    rate_limit_table_take(limits->organisations, key, now, &limits->organisation_policy);
		if (!organisation.decision.admitted)
			return refuse(request, &client, &organisation, "organisation", limits->organisation_rate,
			              organisation.decision.retry_after_ns);
	}
	add_fields(request, limits->api_policy, api_rate_text(request, &client, &organisation));
	return true;
}

/* --- logins ---------------------------------------------------------------------------------- */

static struct login_guard *identity_guard(struct rate_limits *limits, enum login_kind kind)
{
	return kind == LOGIN_USER ? limits->users : limits->client_ids;
}

/* Usernames are compared without case (e-mail addresses), so "A@x" and "a@x" share a record. */
static uint64_t identity_key(const struct rate_limits *limits, enum login_kind kind, const char *identity)
{
	char folded[512];
	size_t length = 0;
	for (; length < sizeof(folded) && identity[length] != '\0'; length++)
		folded[length] = (char)tolower((unsigned char)identity[length]);
	return hash_bytes_seeded(limits->seed ^ (2 + (uint64_t)kind), folded, length);
}

/* The source address: IPv4 whole, IPv6 by its /64 (one host usually holds a whole /64). */
static uint64_t address_key(struct http_request *request)
{
	struct rate_limits *limits = request->app->limits;
	const union MHD_ConnectionInfo *info =
	    MHD_get_connection_info(request->connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *address = info != NULL ? info->client_addr : NULL;
	if (address != NULL && address->sa_family == AF_INET) {
		const struct sockaddr_in *v4 = (const struct sockaddr_in *)address;
		return hash_bytes_seeded(limits->seed ^ 4, &v4->sin_addr, sizeof(v4->sin_addr));
	}
	if (address != NULL && address->sa_family == AF_INET6) {
		const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)address;
		if (IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr))
			return hash_bytes_seeded(limits->seed ^ 4, &v6->sin6_addr.s6_addr[12], 4);
		return hash_bytes_seeded(limits->seed ^ 6, &v6->sin6_addr, 8);
	}
	return hash_bytes_seeded(limits->seed ^ 5, "", 0);
}

static void append_state(char *text, size_t size, const char *name, const struct login_guard_state *state)
{
	size_t used = strlen(text);
	snprintf(text + used, size - used, "%s\"%s\";r=%u;t=%llu", used > 0 ? ", " : "", name,
	         state->wait_ms > 0 ? 0 : state->free_left, (unsigned long long)seconds_from_millis(state->reset_ms));
}

static void add_login_fields(struct http_request *request, enum login_kind kind,
                             const struct login_guard_state *identity, const struct login_guard_state *address)
{
	struct rate_limits *limits = request->app->limits;
	char text[POLICY_TEXT_SIZE] = "";
	if (login_guard_policy(identity_guard(limits, kind))->free_failures > 0)
		append_state(text, sizeof(text), login_kind_names[kind], identity);
	if (login_guard_policy(limits->addresses)->free_failures > 0)
		append_state(text, sizeof(text), "address", address);
	add_fields(request, limits->login_policy[kind], arena_strdup(&request->arena, text));
}

bool rate_limit_login_admit_or_reply(struct http_request *request, enum login_kind kind, const char *identity)
{
	struct rate_limits *limits = request->app->limits;
	if (limits == NULL)
		return true;
	uint64_t now = time_monotonic_nanos() / 1000000;
	struct login_guard_state by_identity =
	    login_guard_peek(identity_guard(limits, kind), identity_key(limits, kind, identity), now);
	struct login_guard_state by_address = login_guard_peek(limits->addresses, address_key(request), now);
	uint64_t wait_ms = by_identity.wait_ms > by_address.wait_ms ? by_identity.wait_ms : by_address.wait_ms;
	if (wait_ms == 0)
		return true;
	uint64_t seconds = seconds_from_millis(wait_ms);
	add_login_fields(request, kind, &by_identity, &by_address);
	add_retry_after(request, seconds);
	http_reply_error(request, 429, "too many failed attempts for this %s; retry after %llu s",
	                 by_identity.wait_ms > 0 ? (kind == LOGIN_USER ? "username" : "client") : "address",
	                 (unsigned long long)seconds);
	return false;
}

void rate_limit_login_failed(struct http_request *request, enum login_kind kind, const char *identity)
{
	struct rate_limits *limits = request->app->limits;
	if (limits == NULL)
		return;
	uint64_t now = time_monotonic_nanos() / 1000000;
	struct login_guard_state by_identity =
	    login_guard_fail(identity_guard(limits, kind), identity_key(limits, kind, identity), now);
	struct login_guard_state by_address = login_guard_fail(limits->addresses, address_key(request), now);
	add_login_fields(request, kind, &by_identity, &by_address);
}

void rate_limit_login_succeeded(struct http_request *request, enum login_kind kind, const char *identity)
{
	struct rate_limits *limits = request->app->limits;
	if (limits == NULL)
		return;
	uint64_t now = time_monotonic_nanos() / 1000000;
	uint64_t key = identity_key(limits, kind, identity);
	login_guard_forget(identity_guard(limits, kind), key);
	struct login_guard_state by_identity = login_guard_peek(identity_guard(limits, kind), key, now);
	struct login_guard_state by_address = login_guard_peek(limits->addresses, address_key(request), now);
	add_login_fields(request, kind, &by_identity, &by_address);
}

enum MHD_Result rate_limit_reply_busy(struct http_request *request)
{
	add_retry_after(request, 1);
	return http_reply_error(request, 503, "too many password checks at once; retry after 1 s");
}
