/* The housekeeping thread (see housekeeping.h). */
#include "jobs/housekeeping.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "store/store.h"
#include "util/log.h"
#include "util/monotonic_cond.h"
#include "util/thread_name.h"
#include "util/timeutil.h"

#define HOUSEKEEPING_PERIOD_S 600   /* between rounds */
#define EVENT_PRUNE_BATCH     10000 /* events deleted per statement */
#define MILLIS_PER_DAY        ((int64_t)86400 * 1000)

struct housekeeping {
	struct app *app;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* signalled on stop; waits use CLOCK_MONOTONIC */
	bool stopping;       /* under lock */
};

static bool stopping(struct housekeeping *housekeeping)
{
	pthread_mutex_lock(&housekeeping->lock);
	bool stop = housekeeping->stopping;
	pthread_mutex_unlock(&housekeeping->lock);
	return stop;
}

/* Deletes the events past their retention, a batch at a time, until none is left or stop. */
static void prune_events(struct housekeeping *housekeeping)
{
	struct store *store = housekeeping->app->store;
	int64_t before = time_now_millis() - (int64_t)housekeeping->app->config.event_retention_days * MILLIS_PER_DAY;
	long total = 0, deleted = EVENT_PRUNE_BATCH;
	while (deleted == EVENT_PRUNE_BATCH && !stopping(housekeeping)) {
		enum store_result result = store->ops->event_prune(store, before, EVENT_PRUNE_BATCH, &deleted);
		if (result != STORE_OK) {
			log_warn("housekeeping: cannot delete old events (store error %d; retrying next round)",
			         (int)result);
			return;
		}
		total += deleted;
	}
	if (total > 0)
		log_info("housekeeping: deleted %ld events older than %u days", total,
		         housekeeping->app->config.event_retention_days);
}

/* Waits a period or until stop; true while the thread should go on. */
static bool wait_period(struct housekeeping *housekeeping)
{
	struct timespec deadline = monotonic_deadline_after(HOUSEKEEPING_PERIOD_S * 1000L);
	pthread_mutex_lock(&housekeeping->lock);
	while (!housekeeping->stopping &&
	       pthread_cond_timedwait(&housekeeping->wake, &housekeeping->lock, &deadline) != ETIMEDOUT) {
	}
	bool go_on = !housekeeping->stopping;
	pthread_mutex_unlock(&housekeeping->lock);
	return go_on;
}

static void *housekeeping_main(void *argument)
{
	thread_name_set("housekeeping");
	struct housekeeping *housekeeping = argument;
	do {
		prune_events(housekeeping);
	} while (wait_period(housekeeping));
	return NULL;
}

static int init_sync(struct housekeeping *housekeeping)
{
	if (monotonic_cond_init(&housekeeping->wake) != 0)
		return -1;
	if (pthread_mutex_init(&housekeeping->lock, NULL) != 0) {
		pthread_cond_destroy(&housekeeping->wake);
		return -1;
	}
	return 0;
}

struct housekeeping *housekeeping_start(struct app *app)
{
	struct housekeeping *housekeeping = calloc(1, sizeof(*housekeeping));
	if (housekeeping == NULL || init_sync(housekeeping) != 0) {
		log_error("housekeeping: cannot set up the thread");
		free(housekeeping);
		return NULL;
	}
	housekeeping->app = app;
	int rc = pthread_create(&housekeeping->thread, NULL, housekeeping_main, housekeeping);
	if (rc != 0) {
		log_error("housekeeping: cannot start the thread: %s", strerror(rc));
		pthread_cond_destroy(&housekeeping->wake);
		pthread_mutex_destroy(&housekeeping->lock);
		free(housekeeping);
		return NULL;
	}
	return housekeeping;
}

void housekeeping_stop(struct housekeeping *housekeeping)
{
	if (housekeeping == NULL)
		return;
	pthread_mutex_lock(&housekeeping->lock);
	housekeeping->stopping = true;
	pthread_cond_signal(&housekeeping->wake);
	pthread_mutex_unlock(&housekeeping->lock);
	pthread_join(housekeeping->thread, NULL);
	pthread_cond_destroy(&housekeeping->wake);
	pthread_mutex_destroy(&housekeeping->lock);
	free(housekeeping);
}
