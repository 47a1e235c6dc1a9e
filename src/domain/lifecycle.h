/* The camera lifecycle: registered → claim → running ⇄ paused → decommission →
 * decommissioned → claim again. Pure logic: which action is allowed from which state, and
 * the names of states in the API ("running") and in asynchronous requests ("claimed"). */
#ifndef CAMFLEET_DOMAIN_LIFECYCLE_H
#define CAMFLEET_DOMAIN_LIFECYCLE_H

#include <stdbool.h>

#include "domain/camera.h"

enum camera_action {
	CAMERA_ACTION_CLAIM,        /* POST /cameras */
	CAMERA_ACTION_RUN,          /* PUT .../state/running, newState "claimed" */
	CAMERA_ACTION_PAUSE,        /* PUT .../state/paused, newState "claimed_paused" */
	CAMERA_ACTION_DECOMMISSION, /* DELETE /cameras/{id} */
	CAMERA_ACTION_MOVE,         /* POST /cameras/{id}/move */
	CAMERA_ACTION_PATCH,        /* PATCH /cameras/{id} */
};

enum lifecycle_result {
	LIFECYCLE_OK = 0,
	LIFECYCLE_CONFLICT = -1,  /* claim of a camera that is running or paused (HTTP 409) */
	LIFECYCLE_FORBIDDEN = -2, /* the action is impossible from this state (HTTP 422) */
};

/* Decides whether action may happen from current; on LIFECYCLE_OK *next is the state after
 * it (unchanged for move and patch). */
enum lifecycle_result lifecycle_next_state(enum camera_state current, enum camera_action action,
                                           enum camera_state *next) __attribute__((warn_unused_result));

/* A bit mask of the states from which action is allowed. */
unsigned lifecycle_allowed_from(enum camera_action action);

/* "registered", "running", "paused", "decommissioned". */
const char *camera_state_name(enum camera_state state);
/* Parses an API state name; false when text names none. */
bool camera_state_from_name(const char *text, enum camera_state *out);
/* Parses the newState of a put-camera-state request ("claimed" → running,
 * "claimed_paused" → paused); false otherwise. */
bool camera_state_from_request_name(const char *text, enum camera_state *out);

/* "running", "paused"; NULL for CAMERA_REPORTED_UNKNOWN (null in JSON and SQL). */
const char *camera_reported_state_name(enum camera_reported_state state);
/* Parses "running" or "paused" (a heartbeat's state, a stored reported_state); NULL text is
 * CAMERA_REPORTED_UNKNOWN; false for any other text. */
bool camera_reported_state_from_name(const char *text, enum camera_reported_state *out);

#endif
