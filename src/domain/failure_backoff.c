/* Failed-login backoff arithmetic: free failures per window, then lockouts of
 * first_lockout_ms << (failures beyond the free ones - 1), capped at max_lockout_ms. */
#include "domain/failure_backoff.h"

/* The moment the window of the record's failures ends. */
static uint64_t window_end(const struct failure_record *record, const struct failure_policy *policy)
{
	uint64_t since =
	    record->locked_until_ms > record->last_failure_ms ? record->locked_until_ms : record->last_failure_ms;
	return since + policy->window_ms;
}

bool failure_backoff_idle(const struct failure_record *record, const struct failure_policy *policy, uint64_t now_ms)
{
	return record->failures == 0 || now_ms >= window_end(record, policy);
}

uint64_t failure_backoff_wait_ms(const struct failure_record *record, uint64_t now_ms)
{
	return record->locked_until_ms > now_ms ? record->locked_until_ms - now_ms : 0;
}

static uint64_t lockout_ms(const struct failure_policy *policy, uint32_t beyond)
{
	uint64_t lockout = policy->first_lockout_ms;
	for (uint32_t i = 1; i < beyond && lockout < policy->max_lockout_ms; i++)
		lockout *= 2;
	return lockout < policy->max_lockout_ms ? lockout : policy->max_lockout_ms;
}

void failure_backoff_fail(struct failure_record *record, const struct failure_policy *policy, uint64_t now_ms)
{
	if (policy->free_failures == 0)
		return;
	if (failure_backoff_idle(record, policy, now_ms)) {
		record->failures = 0;
		record->locked_until_ms = 0;
	}
	if (record->failures < UINT32_MAX)
		record->failures++;
	record->last_failure_ms = now_ms;
	if (record->failures > policy->free_failures) {
		uint64_t until = now_ms + lockout_ms(policy, record->failures - policy->free_failures);
		if (until > record->locked_until_ms)
			record->locked_until_ms = until;
	}
}

uint32_t failure_backoff_free_left(const struct failure_record *record, const struct failure_policy *policy,
                                   uint64_t now_ms)
{
	if (failure_backoff_idle(record, policy, now_ms))
		return policy->free_failures;
	return record->failures < policy->free_failures ? policy->free_failures - record->failures : 0;
}

uint64_t failure_backoff_reset_ms(const struct failure_record *record, const struct failure_policy *policy,
                                  uint64_t now_ms)
{
	if (failure_backoff_idle(record, policy, now_ms))
		return 0;
	return window_end(record, policy) - now_ms;
}
