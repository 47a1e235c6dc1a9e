/* What an asynchronous request comes to, decided and put in words without I/O: a registration
 * (new, the same pair again, or a conflict with an existing camera, named) and a change of a
 * camera's state (decided by the lifecycle). The store applies these inside its transaction. */
#ifndef CAMFLEET_DOMAIN_ASYNC_OUTCOME_H
#define CAMFLEET_DOMAIN_ASYNC_OUTCOME_H

#include <stdbool.h>
#include <stddef.h>

#include "domain/camera.h"

/* What registering a pair (camera id, serial number) found. */
enum registration_result {
	REGISTRATION_NEW,          /* the camera is registered now */
	REGISTRATION_REPEATED,     /* a camera with this id and this serial number exists: nothing to do */
	REGISTRATION_ID_TAKEN,     /* the id is a camera with another serial number (other: that serial) */
	REGISTRATION_SERIAL_TAKEN, /* the serial number is another camera's (other: its id) */
};

/* Writes the message of a registration's outcome into out (size bytes, truncated to fit); true when
 * the request succeeded (new or repeated), false when it failed. other: see enum registration_result. */
bool registration_outcome(enum registration_result result, const char *camera_id, const char *serial_number,
                          const char *other, char *out, size_t size);

/* What a put-camera-state request comes to. */
enum state_change_result {
	STATE_CHANGE_DONE,      /* the camera goes to *next */
	STATE_CHANGE_NO_CAMERA, /* no such camera, or not of the requester's organisation */
	STATE_CHANGE_BAD_STATE, /* newState is not "claimed" or "claimed_paused" */
	STATE_CHANGE_FORBIDDEN, /* the lifecycle forbids it from the camera's state */
};

/* Decides a state change: found tells whether the camera exists (and is in the requester's
 * organisation), current is its state, new_state the request's newState; on STATE_CHANGE_DONE
 * *next is the state to set. */
enum state_change_result state_change_decide(bool found, enum camera_state current, const char *new_state,
                                             enum camera_state *next);

/* Writes the message of a state change's outcome into out (size bytes); state is the new state
 * (STATE_CHANGE_DONE) or the camera's state (STATE_CHANGE_FORBIDDEN). True when it succeeded. */
bool state_change_outcome(enum state_change_result result, enum camera_state state, char *out, size_t size);

#endif
