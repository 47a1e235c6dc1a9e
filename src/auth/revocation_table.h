/* Per-subject "tokens valid from" stamps (milliseconds): a token whose subject has a stamp later
 * than the token's issue time is refused. Pure (no I/O, no clock): a sharded open-addressing hash
 * table whose lookups take one shard's lock and never allocate; raising a stamp may grow a shard;
 * pruning drops the stamps that no unexpired token can predate, which keeps the table bounded. */
#ifndef CAMFLEET_AUTH_REVOCATION_TABLE_H
#define CAMFLEET_AUTH_REVOCATION_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest subject kept (a UUID is 36 bytes); longer subjects are refused by raise. */
#define REVOCATION_SUBJECT_MAX 63

struct revocation_table;

/* An empty table; NULL when out of memory. Free with revocation_table_free(). */
struct revocation_table *revocation_table_new(void);
void revocation_table_free(struct revocation_table *table);

/* Raises subject's stamp to valid_from_ms (a later stamp already there is kept); 0, or -1 when
 * out of memory or subject is empty or longer than REVOCATION_SUBJECT_MAX. Safe from any thread. */
int revocation_table_raise(struct revocation_table *table, const char *subject, int64_t valid_from_ms)
    __attribute__((warn_unused_result));
/* True when subject has a stamp later than issued_ms (its token predates the stamp). No
 * allocation; one shard lock, skipped altogether while the table is empty. */
bool revocation_table_refuses(struct revocation_table *table, const char *subject, int64_t issued_ms);
/* The stamp of subject, or 0 when it has none. */
int64_t revocation_table_get(struct revocation_table *table, const char *subject);
/* Drops every stamp at or before cutoff_ms; returns how many were dropped. A shard that cannot
 * get memory to be rebuilt keeps its stamps until the next prune. */
size_t revocation_table_prune(struct revocation_table *table, int64_t cutoff_ms);
/* Stamps held. */
size_t revocation_table_count(struct revocation_table *table);

#endif
