/* The rules of health alerts (see health_alert.h): offline by the isOnline rule, alerted after
 * --offline-alert-after during opening hours, reminders, and the way back. */
#include "domain/health_alert.h"

#define MILLIS 1000

int64_t health_alert_offline_since_ms(const struct alert_camera *camera, unsigned online_window)
{
	if (camera->last_seen_at == 0)
		return 0;
	int64_t since = camera->reported_offline ? camera->last_seen_at : camera->last_seen_at + (int64_t)online_window;
	return since * MILLIS;
}

/* The isOnline rule of the API (domain/camera_json.c), in whole seconds: online while
 * now - last_seen_at <= online_window and the camera did not say it shut down. */
bool health_alert_is_offline(const struct alert_camera *camera, unsigned online_window, int64_t now_ms)
{
	if (camera->last_seen_at == 0)
		return false;
	return camera->reported_offline || now_ms / MILLIS - camera->last_seen_at > (int64_t)online_window;
}

int64_t health_alert_due_ms(int64_t offline_since_ms, const struct alert_settings *settings)
{
	return offline_since_ms + (int64_t)settings->alert_after * MILLIS;
}

int64_t health_alert_heartbeat_due_ms(int64_t at, bool shutting_down, const struct alert_settings *settings)
{
	struct alert_camera camera = {.state = CAMERA_RUNNING, .last_seen_at = at, .reported_offline = shutting_down};
	int64_t due = health_alert_due_ms(health_alert_offline_since_ms(&camera, settings->online_window), settings);
	int64_t alert_after_ms = (int64_t)settings->alert_after * MILLIS;
	int64_t bucket = alert_after_ms < ALERT_DUE_BUCKET_MS ? alert_after_ms : ALERT_DUE_BUCKET_MS;
	return bucket > 0 ? due / bucket * bucket : due;
}

static struct alert_decision wait_until(int64_t next_at_ms)
{
	return (struct alert_decision){.action = ALERT_ACTION_WAIT, .next_at_ms = next_at_ms};
}

/* Closed: look again at the next opening (or after ALERT_CLOSED_RETRY_MS when none is known). */
static struct alert_decision wait_for_opening(const struct site_opening *opening, int64_t now_ms)
{
	return wait_until(opening->next_open_ms > now_ms ? opening->next_open_ms : now_ms + ALERT_CLOSED_RETRY_MS);
}

/* An open camera.offline whose camera is still offline: a reminder when they are on and due. */
static struct alert_decision decide_open_alert(const struct alert_camera *camera, const struct alert_settings *settings,
                                               int64_t now_ms, const struct site_opening *opening)
{
	if (settings->reminder_after == 0)
		return wait_until(0);
	int64_t reminder_at = camera->alert_sent_at_ms + (int64_t)settings->reminder_after * MILLIS;
	if (now_ms < reminder_at)
		return wait_until(reminder_at);
	if (opening == NULL)
		return (struct alert_decision){.action = ALERT_ACTION_NEEDS_OPENING};
	if (!opening->open)
		return wait_for_opening(opening, now_ms);
	return (struct alert_decision){.action = ALERT_ACTION_REMINDER,
	                               .next_at_ms = now_ms + (int64_t)settings->reminder_after * MILLIS};
}

/* No alert open: the first camera.offline once offline for alert_after, during opening hours. */
static struct alert_decision decide_no_alert(const struct alert_camera *camera, const struct alert_settings *settings,
                                             int64_t now_ms, const struct site_opening *opening)
{
	int64_t due = health_alert_due_ms(health_alert_offline_since_ms(camera, settings->online_window), settings);
	if (!health_alert_is_offline(camera, settings->online_window, now_ms) || now_ms < due)
		return wait_until(due > now_ms ? due : now_ms + (int64_t)settings->alert_after * MILLIS);
	if (opening == NULL)
		return (struct alert_decision){.action = ALERT_ACTION_NEEDS_OPENING};
	if (!opening->open)
		return wait_for_opening(opening, now_ms);
	int64_t next = settings->reminder_after > 0 ? now_ms + (int64_t)settings->reminder_after * MILLIS : 0;
	return (struct alert_decision){.action = ALERT_ACTION_CAMERA_OFFLINE, .next_at_ms = next};
}

struct alert_decision health_alert_decide(const struct alert_camera *camera, const struct alert_settings *settings,
                                          int64_t now_ms, const struct site_opening *opening)
{
	if (camera->state != CAMERA_RUNNING || camera->last_seen_at == 0)
		return wait_until(0); /* paused, decommissioned or never seen: no alerts */
	int64_t offline_since = health_alert_offline_since_ms(camera, settings->online_window);
	bool offline = health_alert_is_offline(camera, settings->online_window, now_ms);
	struct alert_decision decision;
	switch (camera->alert_state) {
	case ALERT_SITE_COVERED:
		if (offline)
			return wait_until(0); /* the site's alert stands until one of its cameras is back */
		decision = (struct alert_decision){.action = ALERT_ACTION_SITE_ONLINE,
		                                   .next_at_ms = health_alert_due_ms(offline_since, settings)};
		break;
	case ALERT_CAMERA_OPEN:
		if (!offline) {
			decision = (struct alert_decision){.action = ALERT_ACTION_CAMERA_ONLINE,
			                                   .next_at_ms = health_alert_due_ms(offline_since, settings)};
			break;
		}
		decision = decide_open_alert(camera, settings, now_ms, opening);
		break;
	case ALERT_NONE:
	default: decision = decide_no_alert(camera, settings, now_ms, opening); break;
	}
	decision.offline_since_ms = offline_since;
	return decision;
}

bool health_alert_site_down(const struct alert_camera *cameras, size_t count, const struct alert_settings *settings,
                            int64_t now_ms)
{
	size_t seen = 0;
	for (size_t i = 0; i < count; i++) {
		const struct alert_camera *camera = &cameras[i];
		if (camera->state != CAMERA_RUNNING || camera->last_seen_at == 0)
			continue;
		if (camera->alert_state != ALERT_NONE ||
		    !health_alert_is_offline(camera, settings->online_window, now_ms))
			return false;
		seen++;
	}
	return seen >= 2;
}

int64_t health_alert_restart_ms(const struct alert_camera *camera, const struct alert_settings *settings,
                                int64_t now_ms)
{
	if (camera->state != CAMERA_RUNNING || camera->last_seen_at == 0)
		return 0;
	if (health_alert_is_offline(camera, settings->online_window, now_ms))
		return now_ms + (int64_t)settings->alert_after * MILLIS;
	return health_alert_due_ms(health_alert_offline_since_ms(camera, settings->online_window), settings);
}
