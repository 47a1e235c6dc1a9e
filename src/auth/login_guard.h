/* Failed-login records of one kind of key (usernames, client ids or source addresses) in a
 * fixed-size table: bounded memory whatever the number of keys (idle records are evicted
 * first), a lock per group of slots. The policy arithmetic is domain/failure_backoff.c. */
#ifndef CAMFLEET_AUTH_LOGIN_GUARD_H
#define CAMFLEET_AUTH_LOGIN_GUARD_H

#include <stddef.h>
#include <stdint.h>

#include "domain/failure_backoff.h"

struct login_guard;

/* What a key's record says at a moment: the numbers of the RateLimit and Retry-After fields. */
struct login_guard_state {
	uint64_t wait_ms;   /* until an attempt is allowed; 0: allowed now */
	uint32_t free_left; /* failures still free before a lockout */
	uint64_t reset_ms;  /* until the failures are forgotten */
};

/* A guard of about slots records under policy (copied); NULL when out of memory. */
struct login_guard *login_guard_new(size_t slots, const struct failure_policy *policy);
void login_guard_free(struct login_guard *guard);

/* The policy the guard applies (free_failures 0: the guard is off). */
const struct failure_policy *login_guard_policy(const struct login_guard *guard);
/* The state of key (never 0) at now_ms without changing it. */
struct login_guard_state login_guard_peek(struct login_guard *guard, uint64_t key, uint64_t now_ms);
/* Counts a failure of key at now_ms; returns the state after it. */
struct login_guard_state login_guard_fail(struct login_guard *guard, uint64_t key, uint64_t now_ms);
/* Forgets key's failures (a successful login). */
void login_guard_forget(struct login_guard *guard, uint64_t key);

#endif
