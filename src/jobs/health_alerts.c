/* The health-alert evaluator thread (see health_alerts.h). */
#include "jobs/health_alerts.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "calendar/site_opening.h"
#include "domain/health_alert.h"
#include "store/store.h"
#include "util/log.h"
#include "util/monotonic_cond.h"
#include "util/thread_name.h"
#include "util/timeutil.h"

#define ROUND_PERIOD_MS 1000  /* between rounds */
#define CLAIM_BATCH     256   /* cameras claimed per statement */
#define CLAIM_LEASE_MS  30000 /* a claimed camera is left to others this long after its claim */
#define LOOKUP_RETRY_MS 60000 /* a camera whose site could not be read is looked at again this much later */

struct health_alerts {
	struct app *app;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;     /* signalled on stop; waits use CLOCK_MONOTONIC */
	bool stopping;           /* under lock */
	struct alert_row *batch; /* CLAIM_BATCH rows: the round's claimed cameras */
	size_t batch_count;
};

static bool stopping(struct health_alerts *alerts)
{
	pthread_mutex_lock(&alerts->lock);
	bool stop = alerts->stopping;
	pthread_mutex_unlock(&alerts->lock);
	return stop;
}

static int keep_claimed(void *context, const struct alert_row *row)
{
	struct health_alerts *alerts = context;
	if (alerts->batch_count >= CLAIM_BATCH)
		return 1; /* the claim's LIMIT is CLAIM_BATCH: not reached */
	alerts->batch[alerts->batch_count++] = *row;
	return 0;
}

/* The decision for a claimed camera, with its site's opening looked up when it matters. */
static struct alert_decision decide(struct store *store, const struct alert_row *row,
                                    const struct alert_settings *settings, int64_t now_ms)
{
	struct alert_camera camera = {.state = row->camera.state,
	                              .last_seen_at = row->camera.last_seen_at,
	                              .reported_offline = row->camera.reported_offline,
	                              .alert_state = row->alert_state,
	                              .alert_sent_at_ms = row->alert_sent_at_ms};
	struct alert_decision decision = health_alert_decide(&camera, settings, now_ms, NULL);
	if (decision.action != ALERT_ACTION_NEEDS_OPENING)
		return decision;
	struct site_opening opening = {.open = true};
	if (row->camera.site_id[0] != '\0') {
		struct site site;
		enum store_result result = store->ops->site_get(store, row->camera.site_id, &site);
		if (result == STORE_OK)
			result = site_opening_at(store, &site, now_ms, &opening);
		if (result != STORE_OK) {
			log_warn("health alerts: cannot read the opening hours of site %s (store error %d); camera %s "
			         "is looked at again in %d s",
			         row->camera.site_id, (int)result, row->camera.id, LOOKUP_RETRY_MS / 1000);
			return (struct alert_decision){.action = ALERT_ACTION_WAIT,
			                               .next_at_ms = now_ms + LOOKUP_RETRY_MS};
		}
	}
	return health_alert_decide(&camera, settings, now_ms, &opening);
}

static void evaluate(struct health_alerts *alerts, const struct alert_row *row, int64_t now_ms)
{
	const struct app_config *config = &alerts->app->config;
	struct alert_settings settings = {config->online_window, config->offline_alert_after,
	                                  config->offline_reminder_after};
	struct store *store = alerts->app->store;
	struct change_origin origin = {.actor = {.kind = EVENT_ACTOR_SYSTEM, .id = ""},
	                               .at_ms = now_ms,
	                               .online_window = config->online_window,
	                               .offline_alert_after = config->offline_alert_after};
	struct alert_change change = {
	    .seen = row, .decision = decide(store, row, &settings, now_ms), .settings = &settings, .origin = &origin};
	enum store_result result = store->ops->alert_apply(store, &change);
	if (result == STORE_CONFLICT)
		log_debug("health alerts: camera %s changed while decided on; its change set its next look",
		          row->camera.id);
	else if (result != STORE_OK)
		log_warn("health alerts: camera %s: cannot apply a decision (store error %d; retried after %d s)",
		         row->camera.id, (int)result, CLAIM_LEASE_MS / 1000);
}

/* Claims and evaluates the due cameras, a batch at a time, until none is left or stop. */
static void run_round(struct health_alerts *alerts)
{
	struct store *store = alerts->app->store;
	do {
		int64_t now_ms = time_now_millis();
		alerts->batch_count = 0;
		enum store_result result = store->ops->alert_claim_due(store, now_ms, now_ms + CLAIM_LEASE_MS,
		                                                       CLAIM_BATCH, keep_claimed, alerts);
		if (result != STORE_OK) {
			log_warn("health alerts: cannot claim due cameras (store error %d; retrying)", (int)result);
			return;
		}
		for (size_t i = 0; i < alerts->batch_count && !stopping(alerts); i++)
			evaluate(alerts, &alerts->batch[i], time_now_millis());
	} while (alerts->batch_count == CLAIM_BATCH && !stopping(alerts));
}

/* Waits until the next round or stop; true while the thread should go on. */
static bool wait_round(struct health_alerts *alerts)
{
	struct timespec deadline = monotonic_deadline_after(ROUND_PERIOD_MS);
	pthread_mutex_lock(&alerts->lock);
	while (!alerts->stopping && pthread_cond_timedwait(&alerts->wake, &alerts->lock, &deadline) != ETIMEDOUT) {
	}
	bool go_on = !alerts->stopping;
	pthread_mutex_unlock(&alerts->lock);
	return go_on;
}

static void *health_alerts_main(void *argument)
{
	thread_name_set("alerts");
	struct health_alerts *alerts = argument;
	do {
		run_round(alerts);
	} while (wait_round(alerts));
	return NULL;
}

static int init_sync(struct health_alerts *alerts)
{
	if (monotonic_cond_init(&alerts->wake) != 0)
		return -1;
	if (pthread_mutex_init(&alerts->lock, NULL) != 0) {
		pthread_cond_destroy(&alerts->wake);
		return -1;
	}
	return 0;
}

static void health_alerts_free(struct health_alerts *alerts)
{
	free(alerts->batch);
	free(alerts);
}

struct health_alerts *health_alerts_start(struct app *app)
{
	struct health_alerts *alerts = calloc(1, sizeof(*alerts));
	if (alerts != NULL)
		alerts->batch = malloc(CLAIM_BATCH * sizeof(*alerts->batch));
	if (alerts == NULL || alerts->batch == NULL || init_sync(alerts) != 0) {
		log_error("health alerts: cannot set up the thread");
		if (alerts != NULL)
			health_alerts_free(alerts);
		return NULL;
	}
	alerts->app = app;
	int rc = pthread_create(&alerts->thread, NULL, health_alerts_main, alerts);
	if (rc != 0) {
		log_error("health alerts: cannot start the thread: %s", strerror(rc));
		pthread_cond_destroy(&alerts->wake);
		pthread_mutex_destroy(&alerts->lock);
		health_alerts_free(alerts);
		return NULL;
	}
	return alerts;
}

void health_alerts_stop(struct health_alerts *alerts)
{
	if (alerts == NULL)
		return;
	pthread_mutex_lock(&alerts->lock);
	alerts->stopping = true;
	pthread_cond_signal(&alerts->wake);
	pthread_mutex_unlock(&alerts->lock);
	pthread_join(alerts->thread, NULL);
	pthread_cond_destroy(&alerts->wake);
	pthread_mutex_destroy(&alerts->lock);
	health_alerts_free(alerts);
}
