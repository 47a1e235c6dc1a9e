/* Token buckets as GCRA: a request is admitted when, after it, the bucket's debt (TAT - now)
 * stays within burst × interval; each admitted request pushes the TAT one interval later. */
#include "domain/token_bucket.h"

#define NANOS_PER_SECOND 1000000000ull

struct token_bucket_policy token_bucket_policy_make(uint64_t rate_per_second, uint64_t burst)
{
	struct token_bucket_policy policy;
	if (rate_per_second == 0)
		rate_per_second = 1;
	if (rate_per_second > NANOS_PER_SECOND)
		rate_per_second = NANOS_PER_SECOND;
	policy.interval_ns = NANOS_PER_SECOND / rate_per_second;
	policy.burst = burst > 0 ? burst : 1;
	return policy;
}

struct token_bucket_decision token_bucket_take(uint64_t tat, uint64_t now_ns, const struct token_bucket_policy *policy)
{
	struct token_bucket_decision decision = {0};
	uint64_t capacity_ns = policy->burst * policy->interval_ns;
	uint64_t start = tat > now_ns ? tat : now_ns;
	uint64_t next = start + policy->interval_ns;
	uint64_t debt = next - now_ns; /* > 0: at least one interval */
	if (debt > capacity_ns) {
		uint64_t current_debt = start - now_ns;
		decision.admitted = false;
		decision.next_tat = tat;
		decision.remaining = 0;
		decision.retry_after_ns = debt - capacity_ns;
		decision.full_after_ns = current_debt;
		return decision;
	}
	decision.admitted = true;
	decision.next_tat = next;
	decision.remaining = (capacity_ns - debt) / policy->interval_ns;
	decision.full_after_ns = debt;
	return decision;
}
