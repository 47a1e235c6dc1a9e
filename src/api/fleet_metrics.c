/* The fleet's families of GET /metrics (api/fleet_metrics.h). The database's counts are rendered
 * into text once per FLEET_COUNTS_MAX_AGE_MS, under a lock, and that text is reused meanwhile. */
#include "api/fleet_metrics.h"

#include <pthread.h>
#include <stdlib.h>

#include "app.h"
#include "domain/lifecycle.h"
#include "http/metrics.h"
#include "store/store.h"
#include "util/build_info.h"
#include "util/log.h"
#include "util/timeutil.h"

struct fleet_metrics {
	pthread_mutex_t lock;
	int64_t refreshed_ms; /* monotonic: when counts_text was made; 0: never */
	char *counts_text;    /* the database's families; NULL when never read */
	size_t counts_length;
};

struct fleet_metrics *fleet_metrics_new(void)
{
	struct fleet_metrics *metrics = calloc(1, sizeof(*metrics));
	if (metrics == NULL)
		return NULL;
	if (pthread_mutex_init(&metrics->lock, NULL) != 0) {
		free(metrics);
		return NULL;
	}
	return metrics;
}

void fleet_metrics_free(struct fleet_metrics *metrics)
{
	if (metrics == NULL)
		return;
	pthread_mutex_destroy(&metrics->lock);
	free(metrics->counts_text);
	free(metrics);
}

/* --- the database's counts ------------------------------------------------------------------- */

#define CAMERA_STATES 4 /* enum camera_state: registered, running, paused, decommissioned */

struct camera_totals {
	struct text_buffer *out;
	int64_t totals[CAMERA_STATES][2]; /* without organisations: [state][online] */
	bool by_organisation;
};

static void add_camera_group(void *context, enum camera_state state, bool online, int64_t count,
                             const char *organisation_id)
{
	struct camera_totals *totals = context;
	if ((unsigned)state >= CAMERA_STATES)
		return;
	if (!totals->by_organisation) {
		totals->totals[state][online] += count;
		return;
	}
	/* ids are UUIDs (or ""): nothing to escape in a label value */
	text_buffer_append(totals->out, "camfleet_cameras{organisation=\"%s\",state=\"%s\",online=\"%s\"} %lld\n",
	                   organisation_id, camera_state_name(state), online ? "true" : "false", (long long)count);
}

static enum store_result render_cameras(struct app *app, struct text_buffer *out)
{
	struct camera_totals totals = {.out = out, .by_organisation = app->config.metrics_per_organisation};
	text_buffer_append(out,
	                   "# HELP camfleet_cameras Cameras by lifecycle state and online status%s.\n"
	                   "# TYPE camfleet_cameras gauge\n",
	                   totals.by_organisation ? " and organisation" : "");
	int64_t online_since = time_now_seconds() - (int64_t)app->config.online_window;
	struct store *store = app->store;
	enum store_result result =
	    store->ops->camera_count_groups(store, online_since, totals.by_organisation, add_camera_group, &totals);
	if (result != STORE_OK || totals.by_organisation)
		return result;
	for (unsigned state = 0; state < CAMERA_STATES; state++) /* every series, zeros too: none vanishes */
		for (unsigned online = 0; online < 2; online++)
			text_buffer_append(out, "camfleet_cameras{state=\"%s\",online=\"%s\"} %lld\n",
			                   camera_state_name((enum camera_state)state), online ? "true" : "false",
			                   (long long)totals.totals[state][online]);
	return STORE_OK;
}

static enum store_result render_async_requests(struct store *store, struct text_buffer *out)
{
	static const char *const kinds[ASYNC_KIND_COUNT] = {
	    [ASYNC_REGISTER_CAMERA] = "register-camera", [ASYNC_PUT_CAMERA_STATE] = "put-camera-state"};
	int64_t counts[ASYNC_KIND_COUNT][ASYNC_STATUS_COUNT];
	enum store_result result = store->ops->async_count_groups(store, counts);
	if (result != STORE_OK)
		return result;
	text_buffer_append(out, "# HELP camfleet_async_requests Asynchronous requests kept, by kind and status.\n"
	                        "# TYPE camfleet_async_requests gauge\n");
	for (unsigned kind = ASYNC_REGISTER_CAMERA; kind < ASYNC_KIND_COUNT; kind++)
		for (unsigned status = 0; status < ASYNC_STATUS_COUNT; status++)
			text_buffer_append(out, "camfleet_async_requests{kind=\"%s\",status=\"%s\"} %lld\n",
			                   kinds[kind], async_status_name((enum async_status)status),
			                   (long long)counts[kind][status]);
	return STORE_OK;
}

/* Reads the counts again into metrics->counts_text; on failure the previous text stays. */
static void refresh_counts(struct fleet_metrics *metrics, struct app *app, int64_t now_ms)
{
	struct text_buffer counts = TEXT_BUFFER_INIT;
	if (render_cameras(app, &counts) != STORE_OK || render_async_requests(app->store, &counts) != STORE_OK) {
		log_warn("metrics: cannot count the cameras and asynchronous requests; /metrics shows the last counts");
		size_t ignored;
		free(text_buffer_finish(&counts, &ignored));
		return;
	}
	size_t length;
	char *text = text_buffer_finish(&counts, &length);
	if (text == NULL)
		return;
	free(metrics->counts_text);
	metrics->counts_text = text;
	metrics->counts_length = length;
	metrics->refreshed_ms = now_ms;
}

/* --- this node's counters ---------------------------------------------------------------------- */

/* What became of a POST /frame-requests, from the status it was answered with (docs/API.md). */
enum frame_result {
	FRAME_IMAGE,       /* 2xx: a frame was sent */
	FRAME_NOT_FOUND,   /* 404: no such camera, or no image could be had */
	FRAME_NOT_RUNNING, /* 409: the camera is paused or decommissioned */
	FRAME_UNAVAILABLE, /* 503: the camera cannot give one now (offline, no answer, busy) */
	FRAME_REFUSED,     /* another 4xx: a bad request, no token, a role without the right, a rate limit */
	FRAME_ERROR,       /* another 5xx: the server failed */
	FRAME_RESULTS
};
static const char *const frame_result_names[FRAME_RESULTS] = {"image",       "not_found", "not_running",
                                                              "unavailable", "refused",   "error"};

static enum frame_result frame_result_of(unsigned status)
{
	switch (status) {
	case 404: return FRAME_NOT_FOUND;
	case 409: return FRAME_NOT_RUNNING;
	case 503: return FRAME_UNAVAILABLE;
	default: break;
	}
	return status < 300 ? FRAME_IMAGE : status < 500 ? FRAME_REFUSED : FRAME_ERROR;
}

static void render_node_counters(struct app *app, struct text_buffer *out)
{
	uint64_t frames[FRAME_RESULTS] = {0};
	for (unsigned status = 200; status < 600; status++)
		frames[frame_result_of(status)] +=
		    http_metrics_answered(app->metrics, "POST", "/frame-requests", status, status);
	text_buffer_append(out, "# HELP camfleet_frame_requests_total Frame requests (POST /frame-requests) answered "
	                        "by this node, by result.\n# TYPE camfleet_frame_requests_total counter\n");
	for (unsigned r = 0; r < FRAME_RESULTS; r++)
		text_buffer_append(out, "camfleet_frame_requests_total{result=\"%s\"} %llu\n", frame_result_names[r],
		                   (unsigned long long)frames[r]);
	text_buffer_append(
	    out,
	    "# HELP camfleet_heartbeats_total Camera heartbeats accepted by this node.\n"
	    "# TYPE camfleet_heartbeats_total counter\ncamfleet_heartbeats_total %llu\n",
	    (unsigned long long)http_metrics_answered(app->metrics, "POST", "/device/heartbeat", 200, 299));
	text_buffer_append(out,
	                   "# HELP camfleet_build_info The version and commit this node runs (always 1).\n"
	                   "# TYPE camfleet_build_info gauge\ncamfleet_build_info{version=\"%s\",commit=\"%s\"} 1\n",
	                   build_info_version, build_info_commit);
}

void fleet_metrics_render(struct fleet_metrics *metrics, struct app *app, struct text_buffer *out)
{
	render_node_counters(app, out);
	int64_t now_ms = (int64_t)(time_monotonic_nanos() / 1000000);
	pthread_mutex_lock(&metrics->lock);
	if (metrics->counts_text == NULL || now_ms - metrics->refreshed_ms >= FLEET_COUNTS_MAX_AGE_MS)
		refresh_counts(metrics, app, now_ms);
	if (metrics->counts_text != NULL)
		text_buffer_append(out, "%s", metrics->counts_text);
	pthread_mutex_unlock(&metrics->lock);
}
