/* Rate limits of one node, answered 429 with Retry-After and the IETF RateLimit-Policy and
 * RateLimit fields (draft-ietf-httpapi-ratelimit-headers): token buckets per client and per
 * organisation on the authenticated API, and failed-login backoff per username, per client id
 * and per source address on the token endpoint. State lives in this node's memory only. */
#ifndef CAMFLEET_HTTP_RATE_LIMIT_H
#define CAMFLEET_HTTP_RATE_LIMIT_H

#include <stdbool.h>

#include "http/request.h"

struct rate_limits;

/* The limits config asks for (0 values turn a limit off); NULL when out of memory. */
struct rate_limits *rate_limits_new(const struct app_config *config);
void rate_limits_free(struct rate_limits *limits);

/* After authentication: charges the caller's client and organisation buckets. True when the
 * request may go on (the RateLimit fields are added to its answer); false when it was answered
 * 429. Operator tokens are not limited. */
bool rate_limit_admit_or_reply(struct http_request *request) __attribute__((warn_unused_result));

enum login_kind {
	LOGIN_USER,   /* the password grant: identity is the username (email) */
	LOGIN_CLIENT, /* the client_credentials grant: identity is the client id */
};

/* Before any password check: true when identity and the source address may try now; false when
 * one of them is locked out (answered 429; no argon2 work was done). */
bool rate_limit_login_admit_or_reply(struct http_request *request, enum login_kind kind, const char *identity)
    __attribute__((warn_unused_result));
/* Counts a failed attempt of identity and the source address; adds the RateLimit fields. */
void rate_limit_login_failed(struct http_request *request, enum login_kind kind, const char *identity);
/* Forgets identity's failures after a successful login; adds the RateLimit fields. */
void rate_limit_login_succeeded(struct http_request *request, enum login_kind kind, const char *identity);

/* Answers 503 with Retry-After: the argon2 gate had no turn free in time. */
enum MHD_Result rate_limit_reply_busy(struct http_request *request);

#endif
