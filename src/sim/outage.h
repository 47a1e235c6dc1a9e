/* Planned outages of `camfleet sim --outage CAMERA_INDEX:START_S:LENGTH_S`: a simulated camera
 * goes silent (no request of any kind, no "shutting_down") for a while, then heartbeats again.
 * Pure: parsing the option and finding a camera's next outage; camera.c acts on them. */
#ifndef CAMFLEET_SIM_OUTAGE_H
#define CAMFLEET_SIM_OUTAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_MAX_OUTAGES         256
#define SIM_OUTAGE_MAX_SECONDS  (365.0 * 86400) /* the largest START_S and LENGTH_S */
#define SIM_OUTAGE_MIN_LENGTH_S 0.01

struct sim_outage {
	uint32_t camera;      /* 0-based index in the order sim runs its cameras */
	double start_seconds; /* after the fleet starts running */
	double length_seconds;
};

/* Parses "CAMERA_INDEX:START_S:LENGTH_S" (seconds may have a fraction) into *out; 0, or -1 when
 * the text is malformed or out of range (nothing printed: the caller names the option). */
int sim_outage_parse(const char *text, struct sim_outage *out) __attribute__((warn_unused_result));

/* The outage of `camera` under way or next at `after_millis` after the fleet started: of the
 * camera's outages not over by then (their end is later), the one that begins first, as
 * milliseconds after the start in *begins_millis and *ends_millis. False when there is none.
 * Overlapping outages of one camera are found one after the other, so they chain into one. */
bool sim_outage_next(const struct sim_outage *outages, size_t count, uint32_t camera, int64_t after_millis,
                     int64_t *begins_millis, int64_t *ends_millis);

#endif
