/* The outcomes of asynchronous requests in words (see async_outcome.h). */
#include "domain/async_outcome.h"

#include <stdio.h>

#include "domain/lifecycle.h"

bool registration_outcome(enum registration_result result, const char *camera_id, const char *serial_number,
                          const char *other, char *out, size_t size)
{
	switch (result) {
	case REGISTRATION_NEW: snprintf(out, size, "camera registered"); return true;
	case REGISTRATION_REPEATED:
		snprintf(out, size, "camera already registered with this serial number; nothing changed");
		return true;
	case REGISTRATION_ID_TAKEN:
		snprintf(out, size, "camera %s already exists with serial number '%s', not '%s'", camera_id, other,
		         serial_number);
		return false;
	case REGISTRATION_SERIAL_TAKEN: break;
	}
	snprintf(out, size, "serial number '%s' already belongs to camera %s", serial_number, other);
	return false;
}

enum state_change_result state_change_decide(bool found, enum camera_state current, const char *new_state,
                                             enum camera_state *next)
{
	enum camera_state target;
	if (!camera_state_from_request_name(new_state, &target))
		return STATE_CHANGE_BAD_STATE;
	if (!found)
		return STATE_CHANGE_NO_CAMERA;
	enum camera_action action = target == CAMERA_RUNNING ? CAMERA_ACTION_RUN : CAMERA_ACTION_PAUSE;
	return lifecycle_next_state(current, action, next) == LIFECYCLE_OK ? STATE_CHANGE_DONE : STATE_CHANGE_FORBIDDEN;
}

bool state_change_outcome(enum state_change_result result, enum camera_state state, char *out, size_t size)
{
	switch (result) {
	case STATE_CHANGE_DONE:
		snprintf(out, size, "%s", state == CAMERA_RUNNING ? "camera is now running" : "camera is now paused");
		return true;
	case STATE_CHANGE_NO_CAMERA: snprintf(out, size, "camera not found"); return false;
	case STATE_CHANGE_BAD_STATE:
		snprintf(out, size, "field 'newState' must be 'claimed' or 'claimed_paused'");
		return false;
	case STATE_CHANGE_FORBIDDEN: break;
	}
	snprintf(out, size, "camera is %s; only running or paused cameras can change state",
	         state == CAMERA_REGISTERED ? "registered (not claimed)" : camera_state_name(state));
	return false;
}
