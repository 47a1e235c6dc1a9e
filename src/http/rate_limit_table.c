/* Token buckets in groups of RATE_LIMIT_GROUP slots (two cache lines); a key lives in one group.
 * Found keys are charged with a compare-and-swap on their TAT; a new key replaces, under its
 * group's stripe lock, an empty slot, else a full (idle) bucket, else the one nearest to full.
 * A bucket evicted while another thread charges it costs at most one miscounted token. */
#include "http/rate_limit_table.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#define RATE_LIMIT_GROUP   8
#define RATE_LIMIT_STRIPES 64

struct bucket_slot {
	_Atomic uint64_t key; /* 0: empty */
	_Atomic uint64_t tat; /* theoretical arrival time, monotonic ns; 0: full */
};

struct rate_limit_table {
	size_t group_mask;
	struct bucket_slot *slots; /* (group_mask + 1) * RATE_LIMIT_GROUP */
	pthread_mutex_t stripes[RATE_LIMIT_STRIPES];
};

struct rate_limit_table *rate_limit_table_new(size_t slots)
{
	size_t groups = 1;
	while (groups * RATE_LIMIT_GROUP < slots)
		groups *= 2;
	struct rate_limit_table *table = calloc(1, sizeof(*table));
	if (table == NULL)
		return NULL;
	table->slots = calloc(groups * RATE_LIMIT_GROUP, sizeof(*table->slots));
	if (table->slots == NULL) {
		free(table);
		return NULL;
	}
	table->group_mask = groups - 1;
	for (size_t i = 0; i < RATE_LIMIT_STRIPES; i++) {
		if (pthread_mutex_init(&table->stripes[i], NULL) != 0) {
			while (i-- > 0)
				pthread_mutex_destroy(&table->stripes[i]);
			free(table->slots);
			free(table);
			return NULL;
		}
	}
	return table;
}

void rate_limit_table_free(struct rate_limit_table *table)
{
	if (table == NULL)
		return;
	for (size_t i = 0; i < RATE_LIMIT_STRIPES; i++)
		pthread_mutex_destroy(&table->stripes[i]);
	free(table->slots);
	free(table);
}

static struct bucket_slot *find(struct bucket_slot *group, uint64_t key)
{
	for (size_t i = 0; i < RATE_LIMIT_GROUP; i++)
		if (atomic_load_explicit(&group[i].key, memory_order_acquire) == key)
			return &group[i];
	return NULL;
}

/* Under the stripe lock: key's slot, claiming one of the group when key has none. */
static struct bucket_slot *claim(struct rate_limit_table *table, size_t group_index, uint64_t key, uint64_t now_ns)
{
	struct bucket_slot *group = &table->slots[group_index * RATE_LIMIT_GROUP];
	pthread_mutex_t *stripe = &table->stripes[group_index % RATE_LIMIT_STRIPES];
	pthread_mutex_lock(stripe);
	struct bucket_slot *slot = find(group, key);
	if (slot == NULL) {
		uint64_t lowest = UINT64_MAX;
		for (size_t i = 0; i < RATE_LIMIT_GROUP && lowest != 0; i++) {
			uint64_t tat = atomic_load_explicit(&group[i].tat, memory_order_relaxed);
			uint64_t debt = atomic_load_explicit(&group[i].key, memory_order_relaxed) == 0 ? 0
			                : tat > now_ns                                                 ? tat - now_ns
			                                                                               : 0;
			if (debt < lowest) {
				lowest = debt;
				slot = &group[i];
			}
		}
		atomic_store_explicit(&slot->tat, 0, memory_order_relaxed);
		atomic_store_explicit(&slot->key, key, memory_order_release);
	}
	pthread_mutex_unlock(stripe);
	return slot;
}

struct token_bucket_decision rate_limit_table_take(struct rate_limit_table *table, uint64_t key, uint64_t now_ns,
                                                   const struct token_bucket_policy *policy)
{
	size_t group_index = (size_t)(key >> 32) & table->group_mask;
	struct bucket_slot *slot = find(&table->slots[group_index * RATE_LIMIT_GROUP], key);
	if (slot == NULL)
		slot = claim(table, group_index, key, now_ns);
	uint64_t tat = atomic_load_explicit(&slot->tat, memory_order_relaxed);
	for (;;) {
		struct token_bucket_decision decision = token_bucket_take(tat, now_ns, policy);
		if (!decision.admitted)
			return decision;
		if (atomic_compare_exchange_weak_explicit(&slot->tat, &tat, decision.next_tat, memory_order_relaxed,
		                                          memory_order_relaxed))
			return decision;
	}
}
