/* The token sync thread: a loop on a condition variable (monotonic clock) that wakes every
 * TOKEN_SYNC_POLL_MS, or at once when a "keys rotated" message arrives, and the bus listener
 * that applies "revoke <subject> <valid_from_ms>" messages straight to the stamp table. */
#include "auth/token_sync.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/revocation_table.h"
#include "auth/signing_keys.h"
#include "store/store.h"
#include "store/store_bus.h"
#include "util/log.h"
#include "util/monotonic_cond.h"
#include "util/thread_name.h"
#include "util/timeutil.h"
#include "util/uuid.h"

struct token_sync {
	struct store *store;
	struct store_bus *bus; /* NULL: nobody to tell or to hear */
	struct revocation_table *table;
	struct signing_keys *keys;
	int64_t retention_ms;
	int64_t polled_at_ms; /* when the last successful poll started (wall clock) */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stopping, keys_changed; /* under lock */
	bool thread_started, listening;
	pthread_t thread;
};

static int apply_row(void *context, const struct token_revocation *row)
{
	struct token_sync *sync = context;
	if (row->valid_from_ms > time_now_millis() - sync->retention_ms &&
	    revocation_table_raise(sync->table, row->subject_id, row->valid_from_ms) != 0)
		log_error("tokens: no memory for the revocation of %s", row->subject_id);
	return 0;
}

/* Reads the rows changed since a little before the last poll; the overlap covers writers whose
 * transaction committed after a poll that already saw later rows, and clocks a little apart. */
static void poll_revocations(struct token_sync *sync)
{
	int64_t started = time_now_millis();
	enum store_result result = sync->store->ops->token_revocation_list(
	    sync->store, sync->polled_at_ms - TOKEN_SYNC_OVERLAP_MS, apply_row, sync);
	if (result == STORE_OK)
		sync->polled_at_ms = started;
}

static void prune(struct token_sync *sync)
{
	int64_t cutoff = time_now_millis() - sync->retention_ms;
	revocation_table_prune(sync->table, cutoff);
	if (sync->store->ops->token_revocation_prune(sync->store, cutoff) != STORE_OK)
		log_warn("tokens: cannot delete old token revocations (retrying later)");
	if (sync->store->ops->refresh_token_prune(sync->store, time_now_seconds()) != STORE_OK)
		log_warn("tokens: cannot delete expired refresh tokens (retrying later)");
}

/* Waits until deadline (monotonic) or a wake-up; true while the thread should go on. */
static bool wait_until(struct token_sync *sync, const struct timespec *deadline, bool *keys_changed)
{
	pthread_mutex_lock(&sync->lock);
	while (!sync->stopping && !sync->keys_changed &&
	       pthread_cond_timedwait(&sync->wake, &sync->lock, deadline) != ETIMEDOUT) {
	}
	bool go_on = !sync->stopping;
	*keys_changed = sync->keys_changed;
	sync->keys_changed = false;
	pthread_mutex_unlock(&sync->lock);
	return go_on;
}

static void *sync_main(void *argument)
{
	thread_name_set("token-sync");
	struct token_sync *sync = argument;
	uint64_t last_key_poll = time_monotonic_nanos(), last_prune = last_key_poll;
	for (;;) {
		struct timespec deadline;
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_nsec += TOKEN_SYNC_POLL_MS * 1000000L;
		deadline.tv_sec += deadline.tv_nsec / 1000000000L;
		deadline.tv_nsec %= 1000000000L;
		bool keys_changed = false;
		if (!wait_until(sync, &deadline, &keys_changed))
			break;
		uint64_t now = time_monotonic_nanos();
		poll_revocations(sync);
		if (keys_changed || now - last_key_poll >= TOKEN_SYNC_KEY_POLL_MS * 1000000ull) {
			if (signing_keys_refresh(sync->keys, time_now_seconds()) != 0)
				log_warn("tokens: cannot read the signing keys (retrying)");
			last_key_poll = now;
		}
		if (now - last_prune >= TOKEN_SYNC_PRUNE_MS * 1000000ull) {
			prune(sync);
			last_prune = now;
		}
	}
	return NULL;
}

/* "revoke <subject> <valid_from_ms>" or "keys rotated", from another node. */
static void deliver(void *context, const char *message)
{
	struct token_sync *sync = context;
	if (strcmp(message, TOKEN_SYNC_KEYS_MESSAGE) == 0) {
		pthread_mutex_lock(&sync->lock);
		sync->keys_changed = true;
		pthread_cond_signal(&sync->wake);
		pthread_mutex_unlock(&sync->lock);
		return;
	}
	const char *rest = message + strlen(TOKEN_SYNC_BUS_PREFIX);
	char subject[UUID_BUFFER_SIZE];
	int64_t valid_from_ms = 0;
	char tail;
	if (strlen(rest) > UUID_TEXT_LENGTH && rest[UUID_TEXT_LENGTH] == ' ') {
		memcpy(subject, rest, UUID_TEXT_LENGTH);
		subject[UUID_TEXT_LENGTH] = '\0';
		if (uuid_is_valid(subject) &&
		    sscanf(rest + UUID_TEXT_LENGTH + 1, "%" SCNd64 "%c", &valid_from_ms, &tail) == 1 &&
		    valid_from_ms > 0) {
			if (revocation_table_raise(sync->table, subject, valid_from_ms) != 0)
				log_error("tokens: no memory for the revocation of %s", subject);
			return;
		}
	}
	log_error("tokens: ignoring a malformed message from another node: %.80s", message);
}

struct token_sync *token_sync_start(struct store *store, struct store_bus *bus, struct revocation_table *table,
                                    struct signing_keys *keys, int64_t retention_ms)
{
	struct token_sync *sync = calloc(1, sizeof(*sync));
	if (sync == NULL)
		return NULL;
	sync->store = store;
	sync->bus = bus;
	sync->table = table;
	sync->keys = keys;
	sync->retention_ms = retention_ms;
	if (pthread_mutex_init(&sync->lock, NULL) != 0) {
		free(sync);
		return NULL;
	}
	if (monotonic_cond_init(&sync->wake) != 0) {
		pthread_mutex_destroy(&sync->lock);
		free(sync);
		return NULL;
	}
	/* Listen first, then load: a change between the two is in one or the other. */
	if (bus != NULL) {
		if (store_bus_listen(bus, TOKEN_SYNC_BUS_PREFIX, deliver, sync) != 0 ||
		    store_bus_listen(bus, TOKEN_SYNC_KEYS_MESSAGE, deliver, sync) != 0) {
			token_sync_stop(sync);
			return NULL;
		}
		sync->listening = true;
	}
	int64_t started = time_now_millis();
	if (store->ops->token_revocation_list(store, started - retention_ms, apply_row, sync) != STORE_OK) {
		log_error("tokens: cannot load the token revocations");
		token_sync_stop(sync);
		return NULL;
	}
	sync->polled_at_ms = started;
	if (pthread_create(&sync->thread, NULL, sync_main, sync) != 0) {
		log_error("tokens: cannot start the token sync thread");
		token_sync_stop(sync);
		return NULL;
	}
	sync->thread_started = true;
	return sync;
}

void token_sync_stop(struct token_sync *sync)
{
	if (sync == NULL)
		return;
	if (sync->listening)
		store_bus_unlisten(sync->bus, sync);
	if (sync->thread_started) {
		pthread_mutex_lock(&sync->lock);
		sync->stopping = true;
		pthread_cond_signal(&sync->wake);
		pthread_mutex_unlock(&sync->lock);
		pthread_join(sync->thread, NULL);
	}
	pthread_cond_destroy(&sync->wake);
	pthread_mutex_destroy(&sync->lock);
	free(sync);
}

void token_sync_publish_revocation(struct token_sync *sync, const char *subject, int64_t valid_from_ms)
{
	if (sync->bus == NULL)
		return;
	char message[STORE_MESSAGE_MAX + 1];
	snprintf(message, sizeof(message), TOKEN_SYNC_BUS_PREFIX "%s %" PRId64, subject, valid_from_ms);
	if (store_bus_publish(sync->bus, message) != STORE_OK)
		log_warn("tokens: cannot tell the other nodes that %s's tokens end (their poll will)", subject);
}
