/* The asynchronous request worker: one thread that takes the oldest pending request from the
 * store, applies it (register a camera, set a camera running or paused) and records the
 * outcome. It sleeps on a condition variable between requests, woken by async_worker_notify or,
 * for requests written by another process, by a periodic timeout. */
#include "jobs/async_worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "domain/lifecycle.h"
#include "store/store.h"
#include "util/log.h"
#include "util/monotonic_cond.h"
#include "util/thread_name.h"
#include "util/timeutil.h"

#define IDLE_WAIT_MILLIS     1000 /* look for work at least this often */
#define STALE_SECONDS        5    /* a processing request untouched this long was abandoned */
#define BACKOFF_FIRST_MILLIS 100  /* first wait after a store error, doubled up to the maximum */
#define BACKOFF_MAX_MILLIS   5000

struct async_worker {
	struct app *app;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* signalled on notify and on stop; waits use CLOCK_MONOTONIC */
	bool notified;       /* a request was stored since the worker last looked (under lock) */
	bool stopping;       /* async_worker_stop was called (under lock) */
};

/* What applying a request came to: a final status and message, or "try again later". */
struct outcome {
	bool transient; /* the store failed; the request stays processing and is tried again */
	enum async_status status;
	char message[ASYNC_MESSAGE_MAX + 1];
};

static void outcome_set(struct outcome *outcome, enum async_status status, const char *message)
{
	outcome->transient = false;
	outcome->status = status;
	snprintf(outcome->message, sizeof(outcome->message), "%s", message);
}

static void outcome_transient(struct outcome *outcome)
{
	outcome->transient = true;
}

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

/* A camera with this id and serial number exists (a request taken again after a crash finds
 * the camera its first attempt registered). */
static bool camera_already_registered(struct store *store, const struct async_request *request)
{
	struct camera camera;
	return store->ops->camera_get(store, request->camera_id, &camera) == STORE_OK &&
	       strcmp(camera.serial_number, request->serial_number) == 0;
}

static void apply_register(struct store *store, const struct async_request *request, bool retaken,
                           const struct change_origin *origin, struct outcome *outcome)
{
	enum store_result result = store->ops->camera_register(store, request->camera_id, request->serial_number,
	                                                       origin->at_ms / 1000, origin);
	if (result == STORE_OK || (result == STORE_CONFLICT && retaken && camera_already_registered(store, request))) {
		outcome_set(outcome, ASYNC_SUCCEEDED, "camera registered");
		return;
	}
	if (result == STORE_CONFLICT) {
		outcome_set(outcome, ASYNC_FAILED, "a camera with this id or serial number already exists");
		return;
	}
	outcome_transient(outcome);
}

static void forbidden_state_message(enum camera_state state, struct outcome *outcome)
{
	char message[ASYNC_MESSAGE_MAX + 1];
	snprintf(message, sizeof(message), "camera is %s; only running or paused cameras can change state",
	         state == CAMERA_REGISTERED ? "registered (not claimed)" : camera_state_name(state));
	outcome_set(outcome, ASYNC_FAILED, message);
}

/* One attempt at the state change; returns false when the camera's state changed under it. */
static bool try_set_state(struct store *store, const struct async_request *request, enum camera_action action,
                          const struct change_origin *origin, struct outcome *outcome)
{
	struct camera camera;
	enum store_result result = store->ops->camera_get(store, request->camera_id, &camera);
	if (result == STORE_NOT_FOUND || (result == STORE_OK && request->organisation_id[0] != '\0' &&
	                                  strcmp(camera.organisation_id, request->organisation_id) != 0)) {
		outcome_set(outcome, ASYNC_FAILED, "camera not found");
		return true;
	}
	if (result != STORE_OK) {
		outcome_transient(outcome);
		return true;
	}
	enum camera_state next;
	if (lifecycle_next_state(camera.state, action, &next) != LIFECYCLE_OK) {
		forbidden_state_message(camera.state, outcome);
		return true;
	}
	result = store->ops->camera_set_state(store, request->camera_id, camera.state, next, origin->at_ms / 1000,
	                                      origin, &camera);
	if (result == STORE_CONFLICT)
		return false;
	if (result == STORE_NOT_FOUND) {
		outcome_set(outcome, ASYNC_FAILED, "camera not found");
		return true;
	}
	if (result != STORE_OK) {
		outcome_transient(outcome);
		return true;
	}
	outcome_set(outcome, ASYNC_SUCCEEDED,
	            next == CAMERA_RUNNING ? "camera is now running" : "camera is now paused");
	return true;
}

static void apply_put_state(struct store *store, const struct async_request *request,
                            const struct change_origin *origin, struct outcome *outcome)
{
	enum camera_state target;
	if (!camera_state_from_request_name(request->new_state, &target)) {
		outcome_set(outcome, ASYNC_FAILED, "newState must be \"claimed\" or \"claimed_paused\"");
		return;
	}
	enum camera_action action = target == CAMERA_RUNNING ? CAMERA_ACTION_RUN : CAMERA_ACTION_PAUSE;
	for (int attempt = 0; attempt < 2; attempt++)
		if (try_set_state(store, request, action, origin, outcome))
			return;
	outcome_set(outcome, ASYNC_FAILED,
	            "the camera's state changed while the request was carried out; submit the request again");
}

/* The change is the requester's (its event's actor), made now. */
static void apply(struct app *app, const struct async_request *request, bool retaken, struct outcome *outcome)
{
	struct change_origin origin = {.actor = request->requester,
	                               .at_ms = time_now_millis(),
	                               .online_window = app->config.online_window,
	                               .offline_alert_after = app->config.offline_alert_after};
	if (request->kind == ASYNC_REGISTER_CAMERA)
		apply_register(app->store, request, retaken, &origin, outcome);
	else
		apply_put_state(app->store, request, &origin, outcome);
}

static const char *kind_label(enum async_kind kind)
{
	return kind == ASYNC_REGISTER_CAMERA ? "register-camera" : "put-camera-state";
}

/* Records the outcome, retrying while the store fails; false when stopped before it could. */
static bool record(struct async_worker *worker, const struct async_request *request, const struct outcome *outcome)
{
	struct store *store = worker->app->store;
	long backoff = BACKOFF_FIRST_MILLIS;
	for (;;) {
		enum store_result result =
		    store->ops->async_finish(store, request->id, outcome->status, outcome->message, time_now_seconds());
		if (result == STORE_OK)
			return true;
		if (result == STORE_NOT_FOUND) {
			log_warn("async: request %s was finished by another worker", request->id);
			return false;
		}
		if (worker_stopping(worker))
			return false;
		worker_back_off(worker, &backoff);
	}
}

/* Applies a request taken from the store, retrying while the store fails, and records the
 * outcome. When stopped in the middle of store failures it leaves the request processing: it
 * is taken again STALE_SECONDS later, by this process after a restart or by another one. */
static void carry_out(struct async_worker *worker, const struct async_request *request)
{
	bool retaken = request->status == ASYNC_PROCESSING;
	struct outcome outcome;
	long backoff = BACKOFF_FIRST_MILLIS;
	for (;;) {
		apply(worker->app, request, retaken, &outcome);
		if (!outcome.transient)
			break;
		if (worker_stopping(worker)) {
			log_warn("async: request %s (%s) left for a later attempt: the database fails", request->id,
			         kind_label(request->kind));
			return;
		}
		retaken = true; /* a failed attempt may have been applied all the same */
		worker_back_off(worker, &backoff);
	}
	if (record(worker, request, &outcome))
		log_info("async: request %s (%s, camera %s) %s: %s", request->id, kind_label(request->kind),
		         request->camera_id, outcome.status == ASYNC_SUCCEEDED ? "succeeded" : "failed",
		         outcome.message);
}

static void *worker_main(void *argument)
{
	thread_name_set("async");
	struct async_worker *worker = argument;
	struct store *store = worker->app->store;
	long backoff = BACKOFF_FIRST_MILLIS;
	while (!worker_stopping(worker)) {
		struct async_request request;
		int64_t now = time_now_seconds();
		enum store_result result = store->ops->async_claim_next(store, now, now - STALE_SECONDS, &request);
		if (result == STORE_OK) {
			backoff = BACKOFF_FIRST_MILLIS;
			carry_out(worker, &request);
		} else if (result == STORE_NOT_FOUND) {
			backoff = BACKOFF_FIRST_MILLIS;
			worker_wait(worker);
		} else {
			worker_back_off(worker, &backoff);
		}
	}
	return NULL;
}

static void worker_free(struct async_worker *worker)
{
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
	if (worker_init_sync(worker) != 0) {
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
