/* The housekeeping thread (see housekeeping.h). */
#include "jobs/housekeeping.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "domain/upload_window.h"
#include "store/store.h"
#include "util/log.h"
#include "util/monotonic_cond.h"
#include "util/thread_name.h"
#include "util/timeutil.h"

#define HOUSEKEEPING_PERIOD_S 600   /* between rounds */
#define PRUNE_BATCH           10000 /* rows deleted per statement */
#define MILLIS_PER_DAY        ((int64_t)86400 * 1000)
#define SECONDS_PER_DAY       ((int64_t)86400)
/* Raw upload reports are deleted a minute after they leave the 48 hours the metrics read them for,
 * so that a metrics request racing a round never misses one it counts on. */
#define UPLOAD_REPORT_GRACE_S 60

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

/* A store operation deleting up to max_rows rows older than before (event_prune and the like). */
typedef enum store_result (*prune_fn)(struct store *, int64_t before, unsigned max_rows, long *deleted);

/* Runs prune a batch at a time until it deletes less than a batch, or stop; the rows deleted, or -1
 * after a store error (logged, naming what: the next round retries). */
static long prune_in_batches(struct housekeeping *housekeeping, prune_fn prune, int64_t before, const char *what)
{
	struct store *store = housekeeping->app->store;
	long total = 0, deleted = PRUNE_BATCH;
	while (deleted == PRUNE_BATCH && !stopping(housekeeping)) {
		enum store_result result = prune(store, before, PRUNE_BATCH, &deleted);
		if (result != STORE_OK) {
			log_warn("housekeeping: cannot delete old %s (store error %d; retrying next round)", what,
			         (int)result);
			return -1;
		}
		total += deleted;
	}
	return total;
}

/* Deletes the events past their retention. */
static void prune_events(struct housekeeping *housekeeping)
{
	unsigned days = housekeeping->app->config.event_retention_days;
	int64_t before = time_now_millis() - (int64_t)days * MILLIS_PER_DAY;
	long total = prune_in_batches(housekeeping, housekeeping->app->store->ops->event_prune, before, "events");
	if (total > 0)
		log_info("housekeeping: deleted %ld events older than %u days", total, days);
}

/* Deletes finished asynchronous requests past their retention (a batch once all its items are done). */
static void prune_async_requests(struct housekeeping *housekeeping)
{
	unsigned days = housekeeping->app->config.async_request_retention_days;
	int64_t before = time_now_seconds() - (int64_t)days * SECONDS_PER_DAY;
	long total =
	    prune_in_batches(housekeeping, housekeeping->app->store->ops->async_prune, before, "asynchronous requests");
	if (total > 0)
		log_info("housekeeping: deleted %ld finished asynchronous requests older than %u days", total, days);
}

/* Deletes raw video upload reports older than 48 hours and hour buckets past their retention. */
static void prune_upload_metrics(struct housekeeping *housekeeping)
{
	const struct store_ops *ops = housekeeping->app->store->ops;
	int64_t now = time_now_seconds();
	long reports = prune_in_batches(housekeeping, ops->upload_report_prune,
	                                now - UPLOAD_RAW_SECONDS - UPLOAD_REPORT_GRACE_S, "video upload reports");
	if (reports > 0)
		log_info("housekeeping: deleted %ld video upload reports older than 48 hours", reports);
	unsigned days = housekeeping->app->config.upload_metrics_retention_days;
	long hours = prune_in_batches(housekeeping, ops->upload_hour_prune,
	                              upload_hour_start(now - (int64_t)days * SECONDS_PER_DAY), "video upload hours");
	if (hours > 0)
		log_info("housekeeping: deleted %ld hourly video upload totals older than %u days", hours, days);
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
		prune_upload_metrics(housekeeping);
		prune_async_requests(housekeeping);
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
