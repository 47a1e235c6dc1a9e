/* The camera as the domain sees it: identity, lifecycle state, placement and device status. */
#ifndef CAMFLEET_DOMAIN_CAMERA_H
#define CAMFLEET_DOMAIN_CAMERA_H

#include <stdbool.h>
#include <stdint.h>

#include "util/uuid.h"

#define CAMERA_SERIAL_MAX 128                     /* bytes of a serial number, without NUL */
#define CAMERA_TEXT_CHARS 200                     /* characters of a name or direction alias */
#define CAMERA_TEXT_MAX   (4 * CAMERA_TEXT_CHARS) /* their bytes in UTF-8, without NUL */

enum camera_state {
	CAMERA_REGISTERED = 0, /* registered at the factory, not claimed */
	CAMERA_RUNNING,        /* claimed, processing video ("claimed" in async requests) */
	CAMERA_PAUSED,         /* claimed, not processing video ("claimed_paused") */
	CAMERA_DECOMMISSIONED, /* released by its organisation; may be claimed again */
	CAMERA_STATE_COUNT
};

#define CAMERA_STATE_BIT(state) (1u << (state))

/* What the camera itself last said it is doing, in a heartbeat ("state"): GET /cameras'
 * reportedState, which a user compares with state (a pause the camera has not yet seen). */
enum camera_reported_state {
	CAMERA_REPORTED_UNKNOWN = 0, /* never reported (or not since its claim): null */
	CAMERA_REPORTED_RUNNING,
	CAMERA_REPORTED_PAUSED,
};

struct camera {
	char id[UUID_BUFFER_SIZE];
	char serial_number[CAMERA_SERIAL_MAX + 1];
	enum camera_state state;
	char organisation_id[UUID_BUFFER_SIZE];    /* "" when never claimed */
	char site_id[UUID_BUFFER_SIZE];            /* "" when never claimed */
	char camera_position_id[UUID_BUFFER_SIZE]; /* "" when never claimed */
	int64_t claimed_at;                        /* epoch seconds, 0 = never */
	bool has_name, has_direction1_alias, has_direction2_alias;
	char name[CAMERA_TEXT_MAX + 1];
	char direction1_alias[CAMERA_TEXT_MAX + 1];
	char direction2_alias[CAMERA_TEXT_MAX + 1];
	int64_t last_seen_at;             /* epoch seconds of the last heartbeat, 0 = never */
	int64_t last_video_at;            /* epoch seconds of the last video upload, 0 = never */
	bool reported_offline;            /* the device said it shut down cleanly */
	double encoded_frames_proportion; /* 0..1 */
	double network_transmit_rate;     /* bytes per second */
	double video_backlog;             /* seconds of video waiting to upload */
	double video_upload_latency;      /* seconds */
	enum camera_reported_state reported_state;
};

#endif
