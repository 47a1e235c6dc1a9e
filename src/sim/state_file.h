/* The simulator's state file: the cameras it registered (id, serial number, name) and their
 * device secrets, so a later run reuses them instead of registering new ones. JSON, written
 * atomically (temporary file + rename) with mode 0600 because it holds secrets. */
#ifndef CAMFLEET_SIM_STATE_FILE_H
#define CAMFLEET_SIM_STATE_FILE_H

#include <stddef.h>

#include "util/uuid.h"

#define SIM_SERIAL_SIZE 129 /* serial numbers are 1..128 bytes */
#define SIM_NAME_SIZE   801 /* names are up to 200 characters of UTF-8 */
#define SIM_SECRET_SIZE 256

struct sim_state_camera {
	char id[UUID_BUFFER_SIZE];
	char serial_number[SIM_SERIAL_SIZE];
	char name[SIM_NAME_SIZE];
	char device_secret[SIM_SECRET_SIZE]; /* "" when no credentials were issued yet */
};

struct sim_state {
	struct sim_state_camera *cameras;
	size_t count;
	size_t capacity;
};

/* An empty state (no allocation). */
void sim_state_init(struct sim_state *state);
/* Frees the cameras. */
void sim_state_release(struct sim_state *state);
/* Reserves room for count cameras in total, so sim_state_add will not move the array while
 * the caller holds pointers into it; 0, or -1 when out of memory. */
int sim_state_reserve(struct sim_state *state, size_t count) __attribute__((warn_unused_result));
/* Appends a zeroed camera and returns it; NULL when out of memory. */
struct sim_state_camera *sim_state_add(struct sim_state *state);
/* Reads path into an empty state. A missing file is an empty state (0). Unreadable or invalid
 * content: -1 with a message naming the problem in error. */
int sim_state_load(struct sim_state *state, const char *path, char *error, size_t error_size)
    __attribute__((warn_unused_result));
/* Writes the state (and, for the reader's information, the server url) to path atomically
 * with mode 0600; 0, or -1 with a message in error. */
int sim_state_save(const struct sim_state *state, const char *path, const char *url, char *error, size_t error_size)
    __attribute__((warn_unused_result));

#endif
