/* The camera lifecycle table. */
#include "domain/lifecycle.h"

#include <string.h>

static const char *const state_names[CAMERA_STATE_COUNT] = {"registered", "running", "paused", "decommissioned"};

#define CLAIMED_STATES (CAMERA_STATE_BIT(CAMERA_RUNNING) | CAMERA_STATE_BIT(CAMERA_PAUSED))

unsigned lifecycle_allowed_from(enum camera_action action)
{
	switch (action) {
	case CAMERA_ACTION_CLAIM: return CAMERA_STATE_BIT(CAMERA_REGISTERED) | CAMERA_STATE_BIT(CAMERA_DECOMMISSIONED);
	case CAMERA_ACTION_RUN:
	case CAMERA_ACTION_PAUSE:
	case CAMERA_ACTION_DECOMMISSION:
	case CAMERA_ACTION_MOVE:
	case CAMERA_ACTION_PATCH: return CLAIMED_STATES;
	}
	return 0;
}

enum lifecycle_result lifecycle_next_state(enum camera_state current, enum camera_action action,
                                           enum camera_state *next)
{
	if ((unsigned)current >= CAMERA_STATE_COUNT)
		return LIFECYCLE_FORBIDDEN;
	if (!(lifecycle_allowed_from(action) & CAMERA_STATE_BIT(current)))
		return action == CAMERA_ACTION_CLAIM ? LIFECYCLE_CONFLICT : LIFECYCLE_FORBIDDEN;
	switch (action) {
	case CAMERA_ACTION_CLAIM:
	case CAMERA_ACTION_RUN: *next = CAMERA_RUNNING; break;
	case CAMERA_ACTION_PAUSE: *next = CAMERA_PAUSED; break;
	case CAMERA_ACTION_DECOMMISSION: *next = CAMERA_DECOMMISSIONED; break;
	case CAMERA_ACTION_MOVE:
	case CAMERA_ACTION_PATCH: *next = current; break;
	}
	return LIFECYCLE_OK;
}

const char *camera_state_name(enum camera_state state)
{
	return (unsigned)state < CAMERA_STATE_COUNT ? state_names[state] : "unknown";
}

bool camera_state_from_name(const char *text, enum camera_state *out)
{
	if (text == NULL)
		return false;
	for (int i = 0; i < CAMERA_STATE_COUNT; i++) {
		if (strcmp(text, state_names[i]) == 0) {
			*out = (enum camera_state)i;
			return true;
		}
	}
	return false;
}

bool camera_state_from_request_name(const char *text, enum camera_state *out)
{
	if (text == NULL)
		return false;
	if (strcmp(text, "claimed") == 0) {
		*out = CAMERA_RUNNING;
		return true;
	}
	if (strcmp(text, "claimed_paused") == 0) {
		*out = CAMERA_PAUSED;
		return true;
	}
	return false;
}

const char *camera_reported_state_name(enum camera_reported_state state)
{
	switch (state) {
	case CAMERA_REPORTED_RUNNING: return "running";
	case CAMERA_REPORTED_PAUSED: return "paused";
	case CAMERA_REPORTED_UNKNOWN: break;
	}
	return NULL;
}

bool camera_reported_state_from_name(const char *text, enum camera_reported_state *out)
{
	if (text == NULL)
		*out = CAMERA_REPORTED_UNKNOWN;
	else if (strcmp(text, "running") == 0)
		*out = CAMERA_REPORTED_RUNNING;
	else if (strcmp(text, "paused") == 0)
		*out = CAMERA_REPORTED_PAUSED;
	else
		return false;
	return true;
}
