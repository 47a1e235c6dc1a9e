/* Failure records in groups of LOGIN_GUARD_GROUP slots, each group behind one of a few striped
 * mutexes (failures are rare next to API reads; a lookup scans one group). A new key takes an
 * empty or idle slot of its group, else the one whose window ends first. */
#include "auth/login_guard.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#define LOGIN_GUARD_GROUP   8
#define LOGIN_GUARD_STRIPES 64

struct guard_slot {
	uint64_t key; /* 0: empty */
	struct failure_record record;
};

struct login_guard {
	struct failure_policy policy;
	size_t group_mask;
	struct guard_slot *slots;
	pthread_mutex_t stripes[LOGIN_GUARD_STRIPES];
};

struct login_guard *login_guard_new(size_t slots, const struct failure_policy *policy)
{
	size_t groups = 1;
	while (groups * LOGIN_GUARD_GROUP < slots)
		groups *= 2;
	struct login_guard *guard = calloc(1, sizeof(*guard));
	if (guard == NULL)
		return NULL;
	guard->slots = calloc(groups * LOGIN_GUARD_GROUP, sizeof(*guard->slots));
	if (guard->slots == NULL) {
		free(guard);
		return NULL;
	}
	guard->policy = *policy;
	guard->group_mask = groups - 1;
	for (size_t i = 0; i < LOGIN_GUARD_STRIPES; i++) {
		if (pthread_mutex_init(&guard->stripes[i], NULL) != 0) {
			while (i-- > 0)
				pthread_mutex_destroy(&guard->stripes[i]);
			free(guard->slots);
			free(guard);
			return NULL;
		}
	}
	return guard;
}

void login_guard_free(struct login_guard *guard)
{
	if (guard == NULL)
		return;
	for (size_t i = 0; i < LOGIN_GUARD_STRIPES; i++)
		pthread_mutex_destroy(&guard->stripes[i]);
	free(guard->slots);
	free(guard);
}

const struct failure_policy *login_guard_policy(const struct login_guard *guard)
{
	return &guard->policy;
}

static size_t group_of(const struct login_guard *guard, uint64_t key)
{
	return (size_t)(key >> 32) & guard->group_mask;
}

static pthread_mutex_t *lock_group(struct login_guard *guard, size_t group)
{
	pthread_mutex_t *stripe = &guard->stripes[group % LOGIN_GUARD_STRIPES];
	pthread_mutex_lock(stripe);
	return stripe;
}

/* Under the group's lock: key's slot, or NULL. */
static struct guard_slot *find(struct login_guard *guard, size_t group, uint64_t key)
{
	struct guard_slot *slots = &guard->slots[group * LOGIN_GUARD_GROUP];
	for (size_t i = 0; i < LOGIN_GUARD_GROUP; i++)
		if (slots[i].key == key)
			return &slots[i];
	return NULL;
}

/* Under the group's lock: a slot for key: an empty or idle one, else the unlocked record whose
 * window ends first, else (all locked) the lockout that ends first. Keys that fail once each
 * cannot push a locked-out key out. */
static struct guard_slot *claim(struct login_guard *guard, size_t group, uint64_t key, uint64_t now_ms)
{
	struct guard_slot *slots = &guard->slots[group * LOGIN_GUARD_GROUP];
	struct guard_slot *victim = &slots[0];
	bool victim_locked = true;
	uint64_t victim_ends = UINT64_MAX;
	for (size_t i = 0; i < LOGIN_GUARD_GROUP; i++) {
		const struct failure_record *record = &slots[i].record;
		if (slots[i].key == 0 || failure_backoff_idle(record, &guard->policy, now_ms)) {
			victim = &slots[i];
			break;
		}
		uint64_t wait = failure_backoff_wait_ms(record, now_ms);
		bool locked = wait > 0;
		uint64_t ends = locked ? wait : failure_backoff_reset_ms(record, &guard->policy, now_ms);
		if ((victim_locked && !locked) || (locked == victim_locked && ends < victim_ends)) {
			victim = &slots[i];
			victim_locked = locked;
			victim_ends = ends;
		}
	}
	victim->key = key;
	victim->record = (struct failure_record){0};
	return victim;
}

static struct login_guard_state state_of(const struct login_guard *guard, const struct failure_record *record,
                                         uint64_t now_ms)
{
	struct login_guard_state state;
	state.wait_ms = failure_backoff_wait_ms(record, now_ms);
	state.free_left = failure_backoff_free_left(record, &guard->policy, now_ms);
	state.reset_ms = failure_backoff_reset_ms(record, &guard->policy, now_ms);
	return state;
}

struct login_guard_state login_guard_peek(struct login_guard *guard, uint64_t key, uint64_t now_ms)
{
	static const struct failure_record fresh = {0};
	size_t group = group_of(guard, key);
	pthread_mutex_t *stripe = lock_group(guard, group);
	struct guard_slot *slot = find(guard, group, key);
	struct login_guard_state state = state_of(guard, slot != NULL ? &slot->record : &fresh, now_ms);
	pthread_mutex_unlock(stripe);
	return state;
}

struct login_guard_state login_guard_fail(struct login_guard *guard, uint64_t key, uint64_t now_ms)
{
	size_t group = group_of(guard, key);
	pthread_mutex_t *stripe = lock_group(guard, group);
	struct guard_slot *slot = find(guard, group, key);
	if (slot == NULL)
		slot = claim(guard, group, key, now_ms);
	failure_backoff_fail(&slot->record, &guard->policy, now_ms);
	struct login_guard_state state = state_of(guard, &slot->record, now_ms);
	pthread_mutex_unlock(stripe);
	return state;
}

void login_guard_forget(struct login_guard *guard, uint64_t key)
{
	size_t group = group_of(guard, key);
	pthread_mutex_t *stripe = lock_group(guard, group);
	struct guard_slot *slot = find(guard, group, key);
	if (slot != NULL)
		slot->record = (struct failure_record){0};
	pthread_mutex_unlock(stripe);
}
