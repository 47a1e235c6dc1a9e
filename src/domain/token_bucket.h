/* Token-bucket arithmetic (as the generic cell rate algorithm): a bucket is one number, the
 * theoretical arrival time (TAT) of the next request, so it fits one atomic word. Pure logic:
 * the caller supplies the clock and stores the TAT. */
#ifndef CAMFLEET_DOMAIN_TOKEN_BUCKET_H
#define CAMFLEET_DOMAIN_TOKEN_BUCKET_H

#include <stdbool.h>
#include <stdint.h>

struct token_bucket_policy {
	uint64_t interval_ns; /* time one token takes to come back: 1 s / rate */
	uint64_t burst;       /* tokens the bucket holds when full (at least 1) */
};

struct token_bucket_decision {
	bool admitted;
	uint64_t next_tat;       /* the TAT to store (unchanged when refused) */
	uint64_t remaining;      /* tokens left after this request */
	uint64_t retry_after_ns; /* refused: time until one token is back; 0 when admitted */
	uint64_t full_after_ns;  /* time until the bucket is full again */
};

/* A policy of rate tokens per second with burst tokens; rate and burst at least 1. */
struct token_bucket_policy token_bucket_policy_make(uint64_t rate_per_second, uint64_t burst);

/* Takes one token from the bucket whose TAT is tat at time now_ns (0 = a fresh, full bucket). */
struct token_bucket_decision token_bucket_take(uint64_t tat, uint64_t now_ns, const struct token_bucket_policy *policy);

#endif
