/* The camera's JSON shape (docs/API.md "Cameras"), written straight into a text buffer: the
 * hottest answer of the API, built without a jansson object. Free text goes through jansson's
 * encoder whenever it holds anything that needs escaping, so there is one JSON string encoder. */
#include "domain/camera_json.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "domain/lifecycle.h"
#include "util/shortest_double.h"
#include "util/timeutil.h"

bool camera_is_online(const struct camera *camera, int64_t now, unsigned online_window)
{
	return camera->last_seen_at != 0 && !camera->reported_offline && now - camera->last_seen_at <= online_window;
}

/* Metrics are stored as REAL; anything not finite (never expected) is shown as 0. */
static double metric_value(double value)
{
	return isfinite(value) ? value : 0.0;
}

/* --- the text writer ----------------------------------------------------------------------- */

struct text_writer {
	char *buffer;
	size_t size;
	size_t length;
	bool failed; /* out of room or not encodable; everything after is ignored */
};

static void put(struct text_writer *w, const char *text, size_t length)
{
	if (w->failed || length > w->size - w->length) {
		w->failed = true;
		return;
	}
	memcpy(w->buffer + w->length, text, length);
	w->length += length;
}

static void put_literal(struct text_writer *w, const char *text)
{
	put(w, text, strlen(text));
}

/* Encodes value (stolen) with jansson at the write position. */
static void put_encoded(struct text_writer *w, json_t *value)
{
	if (value == NULL) {
		w->failed = true;
		return;
	}
	if (!w->failed) {
		size_t room = w->size - w->length;
		size_t needed = json_dumpb(value, w->buffer + w->length, room, JSON_ENCODE_ANY | JSON_COMPACT);
		if (needed == 0 || needed > room)
			w->failed = true;
		else
			w->length += needed;
	}
	json_decref(value);
}

/* The length of text when it can be written between quotes as it is (printable ASCII, no '"'
 * or '\\'), else SIZE_MAX: one pass for both. */
static size_t plain_length(const char *text)
{
	size_t length = 0;
	for (const unsigned char *c = (const unsigned char *)text; *c != '\0'; c++, length++)
		if (*c < 0x20 || *c >= 0x7f || *c == '"' || *c == '\\')
			return SIZE_MAX;
	return length;
}

static void put_string(struct text_writer *w, const char *text)
{
	size_t length = plain_length(text);
	if (length == SIZE_MAX) {
		put_encoded(w, json_string(text));
		return;
	}
	if (w->failed || length + 2 > w->size - w->length) {
		w->failed = true;
		return;
	}
	char *at = w->buffer + w->length;
	at[0] = '"';
	memcpy(at + 1, text, length);
	at[length + 1] = '"';
	w->length += length + 2;
}

static void put_optional_string(struct text_writer *w, bool present, const char *text)
{
	if (present)
		put_string(w, text);
	else
		put(w, "null", 4);
}

static void put_string_or_null(struct text_writer *w, const char *text)
{
	put_optional_string(w, text[0] != '\0', text);
}

static void put_time_or_null(struct text_writer *w, int64_t epoch_seconds)
{
	if (epoch_seconds == 0) {
		put(w, "null", 4);
		return;
	}
	char text[RFC3339_BUFFER_SIZE];
	time_format_rfc3339(epoch_seconds, text);
	put_string(w, text);
}

/* A real in the shortest text that reads back as the same double ("0.9702"). */
static void put_real(struct text_writer *w, double value)
{
	char text[SHORTEST_DOUBLE_SIZE];
	put(w, text, shortest_double_format(metric_value(value), text));
}

static void put_key(struct text_writer *w, const char *key_with_colon)
{
	put_literal(w, key_with_colon);
}

static void write_identity(struct text_writer *w, const struct camera *c)
{
	put_key(w, "{\"id\":");
	put_string(w, c->id);
	put_key(w, ",\"serialNumber\":");
	put_string(w, c->serial_number);
	put_key(w, ",\"name\":");
	put_optional_string(w, c->has_name, c->name);
	put_key(w, ",\"direction1Alias\":");
	put_optional_string(w, c->has_direction1_alias, c->direction1_alias);
	put_key(w, ",\"direction2Alias\":");
	put_optional_string(w, c->has_direction2_alias, c->direction2_alias);
	put_key(w, ",\"state\":");
	put_string(w, camera_state_name(c->state));
	put_key(w, ",\"reportedState\":");
	const char *reported = camera_reported_state_name(c->reported_state);
	if (reported != NULL)
		put_string(w, reported);
	else
		put_literal(w, "null");
}

static void write_placement(struct text_writer *w, const struct camera *c)
{
	put_key(w, ",\"organisationId\":");
	put_string_or_null(w, c->organisation_id);
	put_key(w, ",\"siteId\":");
	put_string_or_null(w, c->site_id);
	put_key(w, ",\"cameraPositionId\":");
	put_string_or_null(w, c->camera_position_id);
	put_key(w, ",\"claimedAt\":");
	put_time_or_null(w, c->claimed_at);
}

static void write_status(struct text_writer *w, const struct camera *c, int64_t now, unsigned online_window)
{
	put_key(w, ",\"isOnline\":");
	put_literal(w, camera_is_online(c, now, online_window) ? "true" : "false");
	put_key(w, ",\"lastSeenAt\":");
	put_time_or_null(w, c->last_seen_at);
	put_key(w, ",\"lastVideoAt\":");
	put_time_or_null(w, c->last_video_at);
}

static void write_metrics(struct text_writer *w, const struct camera *c)
{
	put_key(w, ",\"encodedFramesProportion\":");
	put_real(w, c->encoded_frames_proportion);
	put_key(w, ",\"networkTransmitRate\":");
	put_real(w, c->network_transmit_rate);
	put_key(w, ",\"videoBacklog\":");
	put_real(w, c->video_backlog);
	put_key(w, ",\"videoUploadLatency\":");
	put_real(w, c->video_upload_latency);
}

size_t camera_json_write(const struct camera *camera, bool include_metrics, int64_t now, unsigned online_window,
                         char *buffer, size_t size)
{
	struct text_writer w = {buffer, size, 0, false};
	write_identity(&w, camera);
	write_placement(&w, camera);
	write_status(&w, camera, now, online_window);
	if (include_metrics)
		write_metrics(&w, camera);
	put(&w, "}", 1);
	return w.failed ? 0 : w.length;
}
