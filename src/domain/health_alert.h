/* Health alerts (README "Health alerts"): what the evaluator (jobs/health_alerts.c) does with a
 * camera that came due — wait, alert that it is offline (alone or with its whole site), or tell
 * that it is back — and when it must look again. Pure: times come in, decisions go out. */
#ifndef CAMFLEET_DOMAIN_HEALTH_ALERT_H
#define CAMFLEET_DOMAIN_HEALTH_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/camera.h"

/* A camera's alert, as stored in cameras.alert_state. */
enum alert_state {
	ALERT_NONE = 0,         /* no alert open */
	ALERT_CAMERA_OPEN = 1,  /* camera.offline was emitted */
	ALERT_SITE_COVERED = 2, /* offline under its site's open site.offline */
};

/* What the evaluator knows of a camera. */
struct alert_camera {
	enum camera_state state;
	int64_t last_seen_at;  /* epoch seconds of the last heartbeat, 0 = never */
	bool reported_offline; /* the last heartbeat said shutting_down */
	enum alert_state alert_state;
	int64_t alert_sent_at_ms; /* when its last camera.offline went out; 0 = none */
};

/* The durations the rules use (seconds): --online-window, --offline-alert-after and
 * --offline-reminder-after (0 = no reminders). */
struct alert_settings {
	unsigned online_window;
	unsigned alert_after;
	unsigned reminder_after;
};

/* Whether a site is open at an instant, and if not, when it opens next. */
struct site_opening {
	bool open;
	int64_t next_open_ms; /* when closed: its next opening; 0 when none is known (look again later) */
};

enum alert_action {
	ALERT_ACTION_WAIT,           /* no event: look again at next_at_ms (0: not until something changes) */
	ALERT_ACTION_NEEDS_OPENING,  /* call again with the site's opening at now */
	ALERT_ACTION_CAMERA_OFFLINE, /* offline long enough during opening hours: camera.offline (or, when
	                              * health_alert_site_down holds, one site.offline for the site) */
	ALERT_ACTION_REMINDER,       /* camera.offline again, with "reminder": true */
	ALERT_ACTION_CAMERA_ONLINE,  /* back after camera.offline: camera.online */
	ALERT_ACTION_SITE_ONLINE,    /* back under its site's site.offline: site.online */
};

struct alert_decision {
	enum alert_action action;
	int64_t next_at_ms;       /* when to look again (cameras.alert_at_ms); 0 = not until a change */
	int64_t offline_since_ms; /* for the offline actions: when the camera went offline */
};

/* Days a site's next opening is searched ahead (ALERT_CLOSED_RETRY_MS applies past them). */
#define ALERT_OPENING_HORIZON_DAYS 14
/* When no opening is known within the horizon, the camera is looked at again this much later. */
#define ALERT_CLOSED_RETRY_MS ((int64_t)6 * 3600 * 1000)

/* When the camera went offline by the isOnline rule (a heartbeat's online window passed; at once
 * when it said shutting_down), in epoch milliseconds; 0 for a camera never seen. */
int64_t health_alert_offline_since_ms(const struct alert_camera *camera, unsigned online_window);

/* Whether the camera is offline at now_ms (never-seen cameras are not). */
bool health_alert_is_offline(const struct alert_camera *camera, unsigned online_window, int64_t now_ms);

/* The instant a camera with no alert open must be looked at (its offline alert would be due),
 * given when it went offline, or would go offline with no further heartbeat. */
int64_t health_alert_due_ms(int64_t offline_since_ms, const struct alert_settings *settings);

/* The bucket a heartbeat's alert_due_ms is rounded down to (at most --offline-alert-after). */
#define ALERT_DUE_BUCKET_MS ((int64_t)300 * 1000)

/* For a camera that heartbeats at `at` (epoch seconds), saying shutting_down or not: struct
 * heartbeat's alert_due_ms (store/store.h), health_alert_due_ms rounded down to a bucket of
 * ALERT_DUE_BUCKET_MS or alert_after if shorter. Were it exact, every heartbeat would change the
 * indexed alert_at_ms (on PostgreSQL no heartbeat could be a HOT update); rounded, most leave it as
 * it was. It is never before the camera can be offline; the evaluator, looking up to a bucket
 * early, finds the camera not yet due and sets the exact instant. */
int64_t health_alert_heartbeat_due_ms(int64_t at, bool shutting_down, const struct alert_settings *settings);

/* What to do with a due camera at now_ms. opening is the site's at now_ms, or NULL when not looked
 * up yet: then only a decision that needs it answers ALERT_ACTION_NEEDS_OPENING. */
struct alert_decision health_alert_decide(const struct alert_camera *camera, const struct alert_settings *settings,
                                          int64_t now_ms, const struct site_opening *opening);

/* Whether a site counts as wholly down at now_ms: of its running cameras, those ever seen (at
 * least two) are all offline and none has an alert open yet. */
bool health_alert_site_down(const struct alert_camera *cameras, size_t count, const struct alert_settings *settings,
                            int64_t now_ms);

/* After site.online: where a camera the site alert covered starts again (alert none) — due
 * alert_after from now if it is still offline, else as a heartbeat would have set it. */
int64_t health_alert_restart_ms(const struct alert_camera *camera, const struct alert_settings *settings,
                                int64_t now_ms);

#endif
