/* Failed-login backoff: a few failures are free within a window; each further failure locks
 * the key (a username, a client id, an address) for a time that doubles up to a cap. Pure
 * logic: the caller supplies the clock (milliseconds) and stores the record. */
#ifndef CAMFLEET_DOMAIN_FAILURE_BACKOFF_H
#define CAMFLEET_DOMAIN_FAILURE_BACKOFF_H

#include <stdbool.h>
#include <stdint.h>

struct failure_policy {
	uint32_t free_failures;    /* failures allowed before the first lockout; 0 = no limit */
	uint64_t window_ms;        /* failures are forgotten this long after the last failure or lockout */
	uint64_t first_lockout_ms; /* the lockout after the first failure beyond the free ones */
	uint64_t max_lockout_ms;   /* lockouts double up to this */
};

struct failure_record {
	uint32_t failures;        /* failures in the current window */
	uint64_t last_failure_ms; /* when the last one happened */
	uint64_t locked_until_ms; /* attempts are refused before this */
};

/* Milliseconds until an attempt is allowed for this record; 0 when allowed now. */
uint64_t failure_backoff_wait_ms(const struct failure_record *record, uint64_t now_ms);
/* Counts a failure at now_ms; may start (or lengthen) a lockout. */
void failure_backoff_fail(struct failure_record *record, const struct failure_policy *policy, uint64_t now_ms);
/* Failures still free before the next lockout (0 when the next failure locks). */
uint32_t failure_backoff_free_left(const struct failure_record *record, const struct failure_policy *policy,
                                   uint64_t now_ms);
/* Milliseconds until the record's window ends and its failures are forgotten (0: nothing counted). */
uint64_t failure_backoff_reset_ms(const struct failure_record *record, const struct failure_policy *policy,
                                  uint64_t now_ms);
/* True when the record holds nothing worth keeping at now_ms (it may be evicted). */
bool failure_backoff_idle(const struct failure_record *record, const struct failure_policy *policy, uint64_t now_ms);

#endif
