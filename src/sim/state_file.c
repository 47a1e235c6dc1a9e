/* Loading and atomically saving the simulator's state file (see state_file.h for the format's
 * purpose). Format: {"url": "...", "cameras": [{"id", "serialNumber", "name", "deviceSecret"}]}. */
#include "sim/state_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

void sim_state_init(struct sim_state *state)
{
	state->cameras = NULL;
	state->count = 0;
	state->capacity = 0;
}

void sim_state_release(struct sim_state *state)
{
	if (state->cameras != NULL)
		memset(state->cameras, 0, state->capacity * sizeof(*state->cameras)); /* secrets */
	free(state->cameras);
	sim_state_init(state);
}

int sim_state_reserve(struct sim_state *state, size_t count)
{
	if (count <= state->capacity)
		return 0;
	struct sim_state_camera *grown = realloc(state->cameras, count * sizeof(*grown));
	if (grown == NULL)
		return -1;
	state->cameras = grown;
	state->capacity = count;
	return 0;
}

struct sim_state_camera *sim_state_add(struct sim_state *state)
{
	if (state->count == state->capacity &&
	    sim_state_reserve(state, state->capacity ? state->capacity * 2 : 16) != 0)
		return NULL;
	struct sim_state_camera *camera = &state->cameras[state->count++];
	memset(camera, 0, sizeof(*camera));
	return camera;
}

/* Copies the string member key of object into out; an absent or null member gives "" when
 * optional. Returns 0, or -1 with a message. */
static int copy_member(json_t *object, const char *key, char *out, size_t out_size, int optional, size_t index,
                       char *error, size_t error_size)
{
	json_t *value = json_object_get(object, key);
	if ((value == NULL || json_is_null(value)) && optional) {
		out[0] = '\0';
		return 0;
	}
	if (!json_is_string(value) || json_string_length(value) == 0 || json_string_length(value) >= out_size) {
		snprintf(error, error_size, "cameras[%zu].%s must be a string of 1 to %zu bytes", index, key,
		         out_size - 1);
		return -1;
	}
	memcpy(out, json_string_value(value), json_string_length(value) + 1);
	return 0;
}

static int load_camera(struct sim_state *state, json_t *entry, size_t index, char *error, size_t error_size)
{
	if (!json_is_object(entry)) {
		snprintf(error, error_size, "cameras[%zu] must be an object", index);
		return -1;
	}
	struct sim_state_camera *camera = sim_state_add(state);
	if (camera == NULL) {
		snprintf(error, error_size, "out of memory");
		return -1;
	}
	char id[64];
	if (copy_member(entry, "id", id, sizeof(id), 0, index, error, error_size) != 0 ||
	    copy_member(entry, "serialNumber", camera->serial_number, sizeof(camera->serial_number), 0, index, error,
	                error_size) != 0 ||
	    copy_member(entry, "name", camera->name, sizeof(camera->name), 1, index, error, error_size) != 0 ||
	    copy_member(entry, "deviceSecret", camera->device_secret, sizeof(camera->device_secret), 1, index, error,
	                error_size) != 0)
		return -1;
	if (!uuid_normalize(id, camera->id)) {
		snprintf(error, error_size, "cameras[%zu].id must be a UUID, got '%s'", index, id);
		return -1;
	}
	for (size_t i = 0; i + 1 < state->count; i++)
		if (strcmp(state->cameras[i].id, camera->id) == 0) {
			snprintf(error, error_size, "cameras[%zu].id %s appears twice", index, camera->id);
			return -1;
		}
	return 0;
}

int sim_state_load(struct sim_state *state, const char *path, char *error, size_t error_size)
{
	if (access(path, F_OK) != 0 && errno == ENOENT)
		return 0;
	json_error_t json_error;
	json_t *root = json_load_file(path, 0, &json_error);
	if (root == NULL) {
		snprintf(error, error_size, "cannot read state file %s: %s (line %d)", path, json_error.text,
		         json_error.line);
		return -1;
	}
	json_t *cameras = json_object_get(root, "cameras");
	int result = 0;
	if (!json_is_object(root) || !json_is_array(cameras)) {
		snprintf(error, error_size, "state file %s: expected an object with a \"cameras\" array", path);
		result = -1;
	}
	for (size_t i = 0; result == 0 && i < json_array_size(cameras); i++) {
		char detail[256];
		if (load_camera(state, json_array_get(cameras, i), i, detail, sizeof(detail)) != 0) {
			snprintf(error, error_size, "state file %s: %s", path, detail);
			result = -1;
		}
	}
	json_decref(root);
	return result;
}

static json_t *state_to_json(const struct sim_state *state, const char *url)
{
	json_t *cameras = json_array();
	json_t *root = json_pack("{s:s, s:o}", "url", url, "cameras", cameras);
	if (root == NULL)
		return NULL;
	for (size_t i = 0; i < state->count; i++) {
		const struct sim_state_camera *camera = &state->cameras[i];
		json_t *entry = json_pack("{s:s, s:s, s:s?, s:s?}", "id", camera->id, "serialNumber",
		                          camera->serial_number, "name", camera->name[0] ? camera->name : NULL,
		                          "deviceSecret", camera->device_secret[0] ? camera->device_secret : NULL);
		if (entry == NULL || json_array_append_new(cameras, entry) != 0) {
			json_decref(root);
			return NULL;
		}
	}
	return root;
}

static int write_all(int fd, const char *data, size_t length)
{
	while (length > 0) {
		ssize_t written = write(fd, data, length);
		if (written < 0 && errno == EINTR)
			continue;
		if (written <= 0)
			return -1;
		data += written;
		length -= (size_t)written;
	}
	return 0;
}

int sim_state_save(const struct sim_state *state, const char *path, const char *url, char *error, size_t error_size)
{
	json_t *root = state_to_json(state, url);
	char *text = root != NULL ? json_dumps(root, JSON_INDENT(2)) : NULL;
	json_decref(root);
	if (text == NULL) {
		snprintf(error, error_size, "cannot encode the state file (out of memory)");
		return -1;
	}
	char temporary[4096];
	snprintf(temporary, sizeof(temporary), "%s.tmp.%ld", path, (long)getpid());
	int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int result = -1;
	if (fd >= 0 && fchmod(fd, 0600) == 0 && write_all(fd, text, strlen(text)) == 0 && write_all(fd, "\n", 1) == 0 &&
	    fsync(fd) == 0)
		result = 0;
	int saved_errno = errno;
	if (fd >= 0 && close(fd) != 0 && result == 0) {
		result = -1;
		saved_errno = errno;
	}
	if (result == 0 && rename(temporary, path) != 0) {
		result = -1;
		saved_errno = errno;
	}
	if (result != 0) {
		snprintf(error, error_size, "cannot write state file %s: %s", path, strerror(saved_errno));
		unlink(temporary);
	}
	memset(text, 0, strlen(text)); /* it held the device secrets */
	free(text);
	return result;
}
