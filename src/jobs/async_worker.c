/* The asynchronous request worker: one thread that has the store carry out waiting requests
 * (register a camera, set a camera running or paused) in batches, each batch in one transaction
 * with every request's outcome (store.h async_carry_out). It sleeps on a condition variable when
 * none waits, woken by async_worker_notify or, for requests written by another process, by a
 * periodic timeout. */
#include "jobs/async_worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "jobs/async_intake.h"
#include "store/store.h"
#include "util/log.h"
#include "util/monotonic_cond.h"
#include "util/thread_name.h"
#include "util/timeutil.h"

#define IDLE_WAIT_MILLIS 1000 /* look for work at least this often */
#define STALE_SECONDS    5    /* PostgreSQL: a request an older version left processing this long was abandoned */
#define BATCH_MAX        500  /* requests per transaction */
/* After a transaction that emptied the queue, the worker lets requests gather this long before the
 * next one (without it, under a steady flow, each transaction would carry one or two requests, and
 * each commit rewrites the same table and index pages); a request arriving when the worker is idle
 * is still carried out at once. */
#define GATHER_MILLIS        20
#define BACKOFF_FIRST_MILLIS 100 /* first wait after a store error, doubled up to the maximum */
#define BACKOFF_MAX_MILLIS   5000
/* A request whose camera row another transaction held was left waiting: the worker looks again
 * after this long, doubled up to the maximum while it stays held (sooner when a request arrives). */
#define HELD_RETRY_FIRST_MILLIS 50
#define HELD_RETRY_MAX_MILLIS   1000

struct async_worker {
	struct app *app;
	struct async_intake *intake; /* new requests, group-committed (async_worker_store) */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* signalled on notify and on stop; waits use CLOCK_MONOTONIC */
	bool notified;       /* a request was stored since the worker last looked (under lock) */
	bool stopping;       /* async_worker_stop was called (under lock) */
};

static bool worker_stopping(struct async_worker *worker)
{
	pthread_mutex_lock(&worker->lock);
	bool stopping = worker->stopping;
	pthread_mutex_unlock(&worker->lock);
	return stopping;
}

/* The CLOCK_MONOTONIC instant millis from now. */
static struct timespec deadline_after(long millis)
{
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += millis / 1000;
	deadline.tv_nsec += (millis % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	return deadline;
}

/* Sleeps until stopped or millis have passed, or (when wake_on_notify) until notified; a
 * notification is consumed only by a sleep that wakes on it. */
static void worker_sleep(struct async_worker *worker, long millis, bool wake_on_notify)
{
	struct timespec deadline = deadline_after(millis);
	pthread_mutex_lock(&worker->lock);
	int rc = 0;
	while (!worker->stopping && !(wake_on_notify && worker->notified) && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&worker->wake, &worker->lock, &deadline);
	if (wake_on_notify)
		worker->notified = false;
	pthread_mutex_unlock(&worker->lock);
}

/* Waits for work: a notification, the periodic look, or stop. */
static void worker_wait(struct async_worker *worker)
{
	worker_sleep(worker, IDLE_WAIT_MILLIS, true);
}

/* Pauses after a store error, doubling *millis for the next time (up to the maximum). */
static void worker_back_off(struct async_worker *worker, long *millis)
{
	worker_sleep(worker, *millis, false);
	*millis = *millis * 2 > BACKOFF_MAX_MILLIS ? BACKOFF_MAX_MILLIS : *millis * 2;
}

static const char *kind_label(enum async_kind kind)
{
	return kind == ASYNC_REGISTER_CAMERA ? "register-camera" : "put-camera-state";
}

/* A request carried out: one log line (items of a batch are told by their batch, not each). */
static void report_done(void *context, const struct async_request *request)
{
	size_t *batch_items = context;
	if (request->batch_id[0] != '\0') {
		++*batch_items;
		return;
	}
	log_info("async: request %s (%s, camera %s) %s: %s", request->id, kind_label(request->kind), request->camera_id,
	         request->status == ASYNC_SUCCEEDED ? "succeeded" : "failed", request->message);
}

/* One transaction's worth of waiting requests (up to max); *count how many were carried out, *held
 * how many were left waiting for a camera row another transaction holds. */
static enum store_result carry_out_batch(struct async_worker *worker, unsigned max, size_t *count, size_t *held)
{
	struct app *app = worker->app;
	int64_t now_ms = time_now_millis();
	struct async_work work = {.max = max,
	                          .now_ms = now_ms,
	                          .stale_before = now_ms / 1000 - STALE_SECONDS,
	                          .online_window = app->config.online_window,
	                          .offline_alert_after = app->config.offline_alert_after};
	size_t batch_items = 0;
	enum store_result result =
	    app->store->ops->async_carry_out(app->store, &work, report_done, &batch_items, count, held);
	if (batch_items > 0)
		log_info("async: %zu items of register-camera batches carried out", batch_items);
	return result;
}

/* Carries out waiting requests BATCH_MAX at a time until none waits (pausing GATHER_MILLIS after a
 * transaction that emptied the queue), then sleeps until notified.
 * After a store failure it backs off and goes on one request at a time until one succeeds, so that
 * a request the database refuses for good holds up only itself. A request left waiting because
 * another transaction holds its camera's row is looked at again after a growing pause (not a
 * failure: the other requests went on). */
static void *worker_main(void *argument)
{
	thread_name_set("async");
	struct async_worker *worker = argument;
	long backoff = BACKOFF_FIRST_MILLIS;
	long held_retry = HELD_RETRY_FIRST_MILLIS;
	unsigned max = BATCH_MAX;
	while (!worker_stopping(worker)) {
		size_t count = 0, held = 0;
		enum store_result result = carry_out_batch(worker, max, &count, &held);
		if (result == STORE_OK) {
			backoff = BACKOFF_FIRST_MILLIS;
			max = BATCH_MAX;
			if (held == 0)
				held_retry = HELD_RETRY_FIRST_MILLIS;
			if (held > 0 && count + held < BATCH_MAX) {
				worker_sleep(worker, held_retry, true);
				held_retry =
				    held_retry * 2 > HELD_RETRY_MAX_MILLIS ? HELD_RETRY_MAX_MILLIS : held_retry * 2;
			} else if (count == 0)
				worker_wait(worker);
			else if (count < BATCH_MAX)
				worker_sleep(worker, GATHER_MILLIS, false);
		} else {
			log_warn("async: carrying out requests failed (store result %d); trying again", (int)result);
			max = 1;
			worker_back_off(worker, &backoff);
		}
	}
	return NULL;
}

static void worker_free(struct async_worker *worker)
{
	async_intake_free(worker->intake);
	pthread_cond_destroy(&worker->wake);
	pthread_mutex_destroy(&worker->lock);
	free(worker);
}

static int worker_init_sync(struct async_worker *worker)
{
	if (monotonic_cond_init(&worker->wake) != 0)
		return -1;
	if (pthread_mutex_init(&worker->lock, NULL) != 0) {
		pthread_cond_destroy(&worker->wake);
		return -1;
	}
	return 0;
}

struct async_worker *async_worker_start(struct app *app)
{
	struct async_worker *worker = calloc(1, sizeof(*worker));
	if (worker == NULL) {
		log_error("async: out of memory starting the worker");
		return NULL;
	}
	worker->app = app;
	worker->intake = async_intake_new(app->store);
	if (worker->intake == NULL) {
		free(worker);
		return NULL;
	}
	if (worker_init_sync(worker) != 0) {
		async_intake_free(worker->intake);
		log_error("async: cannot initialise the worker's lock");
		free(worker);
		return NULL;
	}
	int rc = pthread_create(&worker->thread, NULL, worker_main, worker);
	if (rc != 0) {
		log_error("async: cannot start the worker thread: %s", strerror(rc));
		worker_free(worker);
		return NULL;
	}
	return worker;
}

enum store_result async_worker_store(struct async_worker *worker, const struct async_request *requests, size_t count)
{
	enum store_result result = async_intake_store(worker->intake, requests, count);
	if (result == STORE_OK)
		async_worker_notify(worker);
	return result;
}

void async_worker_notify(struct async_worker *worker)
{
	if (worker == NULL)
		return;
	pthread_mutex_lock(&worker->lock);
	worker->notified = true;
	pthread_cond_signal(&worker->wake);
	pthread_mutex_unlock(&worker->lock);
}

void async_worker_stop(struct async_worker *worker)
{
	if (worker == NULL)
		return;
	pthread_mutex_lock(&worker->lock);
	worker->stopping = true;
	pthread_cond_signal(&worker->wake);
	pthread_mutex_unlock(&worker->lock);
	int rc = pthread_join(worker->thread, NULL);
	if (rc != 0)
		log_error("async: cannot join the worker thread: %s", strerror(rc));
	worker_free(worker);
}
