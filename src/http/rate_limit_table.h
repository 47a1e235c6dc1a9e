/* A fixed-size table of token buckets keyed by 64-bit hashes (a client, an organisation):
 * lookups take no lock and allocate nothing (one atomic word per bucket); a new key takes a
 * striped lock and the slot of an idle (or the least used) bucket of its group, so memory stays
 * bounded whatever the number of keys. */
#ifndef CAMFLEET_HTTP_RATE_LIMIT_TABLE_H
#define CAMFLEET_HTTP_RATE_LIMIT_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "domain/token_bucket.h"

struct rate_limit_table;

/* A table of about slots buckets (rounded up to a power of two, at least one group); NULL when
 * out of memory. Free with rate_limit_table_free. */
struct rate_limit_table *rate_limit_table_new(size_t slots);
void rate_limit_table_free(struct rate_limit_table *table);

/* Takes one token from key's bucket at now_ns (monotonic; key never 0). */
struct token_bucket_decision rate_limit_table_take(struct rate_limit_table *table, uint64_t key, uint64_t now_ns,
                                                   const struct token_bucket_policy *policy);

#endif
