/* Request validation helpers and the store-result → HTTP mapping. */
#include "api/common.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "domain/field_names.h"
#include "http/public_url.h"
#include "util/log.h"
#include "util/timeutil.h"

#define LOCATION_PATH_MAX 256 /* the longest path handed out: a few segments and two UUIDs */

bool api_require_role_or_reply(struct http_request *request, unsigned role_mask, const char *action)
{
	if (policy_role_allowed(&request->principal, role_mask))
		return true;
	http_reply_error(request, 403, "role '%s' is not allowed to %s", role_name(request->principal.role), action);
	return false;
}

bool api_path_uuid_or_reply(struct http_request *request, size_t index, const char *name, char out[UUID_BUFFER_SIZE])
{
	const char *value = http_path_param(request, index);
	if (value != NULL && uuid_normalize(value, out))
		return true;
	http_reply_error(request, 422, "path parameter '%s' must be a UUID (8-4-4-4-12 hexadecimal digits)", name);
	return false;
}

/* Parses the body as a JSON object into *body (a new reference); 400 otherwise. */
static bool parse_object_or_reply(struct http_request *request, json_t **out)
{
	*out = NULL;
	if (request->body == NULL || request->body_length == 0) {
		http_reply_error(request, 400, "request body must be a JSON object");
		return false;
	}
	json_error_t error;
	json_t *body = json_loadb(request->body, request->body_length, JSON_REJECT_DUPLICATES, &error);
	if (body == NULL) {
		http_reply_error(request, 400, "request body is not valid JSON: %s (line %d, column %d)", error.text,
		                 error.line, error.column);
		return false;
	}
	if (!json_is_object(body)) {
		json_decref(body);
		http_reply_error(request, 400, "request body must be a JSON object");
		return false;
	}
	*out = body;
	return true;
}

static bool name_in(const char *name, const char *const *names)
{
	for (const char *const *known = names; known != NULL && *known != NULL; known++)
		if (strcmp(*known, name) == 0)
			return true;
	return false;
}

/* The first key of body in none of the lists (either may be NULL), or NULL. */
static const char *first_unknown_key(json_t *body, const char *const *first, const char *const *second)
{
	const char *key;
	json_t *value;
	json_object_foreach(body, key, value)
	{
		if (!name_in(key, first) && !name_in(key, second))
			return key;
	}
	return NULL;
}

bool api_parse_body_or_reply(struct http_request *request, const char *const *allowed, json_t **out)
{
	json_t *body = NULL;
	if (!parse_object_or_reply(request, &body))
		return false;
	const char *unknown = first_unknown_key(body, allowed, NULL);
	if (unknown != NULL) {
		char message[FIELD_MESSAGE_SIZE];
		field_names_unknown_message(message, sizeof(message), "", unknown, allowed);
		http_reply_error(request, 400, "%s", message);
		json_decref(body);
		return false;
	}
	*out = body;
	return true;
}

bool api_parse_change_body_or_reply(struct http_request *request, const char *const *writable,
                                    const char *const *read_only, json_t **out)
{
	*out = NULL;
	json_t *body = NULL;
	if (!parse_object_or_reply(request, &body))
		return false;
	const char *unknown = first_unknown_key(body, writable, read_only);
	if (unknown != NULL) {
		char message[FIELD_MESSAGE_SIZE];
		field_names_unknown_change_message(message, sizeof(message), unknown, writable, read_only);
		http_reply_error(request, 400, "%s", message);
		json_decref(body);
		return false;
	}
	*out = body;
	return true;
}

bool api_read_only_fields_or_reply(struct http_request *request, json_t *body, const json_t *current,
                                   const char *const *compared)
{
	if (current == NULL) {
		http_reply_error(request, 500, "internal error");
		return false;
	}
	const char *changed = field_names_first_changed(body, current, compared);
	if (changed == NULL)
		return true;
	http_reply_error(request, 400, "field '%s' is read-only: leave it out or send its current value", changed);
	return false;
}

/* Characters (code points) of valid UTF-8 text: bytes that do not continue a sequence. */
static size_t utf8_characters(const char *text, size_t length)
{
	size_t count = 0;
	for (size_t i = 0; i < length; i++)
		count += ((unsigned char)text[i] & 0xc0) != 0x80;
	return count;
}

bool api_string_field_or_reply(struct http_request *request, json_t *body, const char *name, enum field_need need,
                               size_t min, size_t max, char *out, size_t out_size, bool *present, bool *is_null)
{
	json_t *value = json_object_get(body, name);
	if (present != NULL)
		*present = false;
	if (is_null != NULL)
		*is_null = false;
	out[0] = '\0';
	if (value == NULL) {
		if (need == FIELD_REQUIRED) {
			http_reply_error(request, 400, "field '%s' is required", name);
			return false;
		}
		return true;
	}
	if (json_is_null(value) && need == FIELD_NULLABLE) {
		if (is_null != NULL)
			*is_null = true;
		return true;
	}
	if (!json_is_string(value)) {
		http_reply_error(request, 400, "field '%s' must be a string%s", name,
		                 need == FIELD_NULLABLE ? " or null" : "");
		return false;
	}
	size_t length = json_string_length(value);
	const char *text = json_string_value(value);
	if (strlen(text) != length) {
		http_reply_error(request, 400, "field '%s' must not contain NUL characters", name);
		return false;
	}
	size_t characters = utf8_characters(text, length);
	if (characters < min || characters > max || length >= out_size) {
		if (min == 1 && characters == 0)
			http_reply_error(request, 400, "field '%s' must not be empty", name);
		else if (characters < min)
			http_reply_error(request, 400, "field '%s' must be at least %zu characters long", name, min);
		else
			http_reply_error(request, 400, "field '%s' must be at most %zu characters long", name, max);
		return false;
	}
	memcpy(out, text, length + 1);
	if (present != NULL)
		*present = true;
	return true;
}

bool api_uuid_field_or_reply(struct http_request *request, json_t *body, const char *name, bool required,
                             char out[UUID_BUFFER_SIZE], bool *present)
{
	char text[64];
	bool given = false;
	if (!api_string_field_or_reply(request, body, name, required ? FIELD_REQUIRED : FIELD_OPTIONAL, 0,
	                               sizeof(text) - 1, text, sizeof(text), &given, NULL)) {
		return false;
	}
	if (present != NULL)
		*present = given;
	out[0] = '\0';
	if (!given)
		return true;
	if (!uuid_normalize(text, out)) {
		http_reply_error(request, 400, "field '%s' must be a UUID (8-4-4-4-12 hexadecimal digits)", name);
		return false;
	}
	return true;
}

enum MHD_Result api_store_failure(struct http_request *request, enum store_result result, const char *what,
                                  const char *conflict_message)
{
	switch (result) {
	case STORE_NOT_FOUND: return http_reply_error(request, 404, "%s not found", what);
	case STORE_CONFLICT:
		return http_reply_error(request, 409, "%s", conflict_message ? conflict_message : "conflict");
	case STORE_LIMIT:
		return http_reply_error(request, 409, "%s",
		                        conflict_message ? conflict_message : "a limit was reached");
	case STORE_UNAVAILABLE:
		http_reply_add_header(request, "Retry-After", "1");
		return http_reply_error(request, 503, "the database is unavailable; retry shortly");
	case STORE_OK:
	case STORE_ERROR: break;
	}
	return http_reply_error(request, 500, "internal error");
}

bool api_query_bool_or_reply(struct http_request *request, const char *name, bool default_value, bool *out)
{
	const char *value = http_query(request, name);
	if (value == NULL) {
		*out = default_value;
		return true;
	}
	if (strcmp(value, "true") == 0) {
		*out = true;
		return true;
	}
	if (strcmp(value, "false") == 0) {
		*out = false;
		return true;
	}
	http_reply_error(request, 422, "query parameter '%s' must be true or false", name);
	return false;
}

json_t *api_json_string_or_null(const char *text)
{
	return text != NULL && text[0] != '\0' ? json_string(text) : json_null();
}

json_t *api_json_time_or_null(int64_t epoch_seconds)
{
	if (epoch_seconds == 0)
		return json_null();
	char text[RFC3339_BUFFER_SIZE];
	time_format_rfc3339(epoch_seconds, text);
	return json_string(text);
}

void api_change_origin(const struct http_request *request, struct change_origin *out)
{
	const struct principal *principal = &request->principal;
	if (principal->role == ROLE_DEVICE)
		out->actor.kind = EVENT_ACTOR_DEVICE;
	else
		out->actor.kind = principal->kind == SUBJECT_USER ? EVENT_ACTOR_USER : EVENT_ACTOR_CLIENT;
	snprintf(out->actor.id, sizeof(out->actor.id), "%s", principal->subject);
	out->at_ms = time_now_millis();
	out->online_window = request->app->config.online_window;
	out->offline_alert_after = request->app->config.offline_alert_after;
}

void api_add_location(struct http_request *request, const char *path_format, ...)
{
	char path[LOCATION_PATH_MAX];
	va_list arguments;
	va_start(arguments, path_format);
	int length = vsnprintf(path, sizeof(path), path_format, arguments);
	va_end(arguments);
	const char *location = NULL;
	if (length >= 0 && (size_t)length < sizeof(path))
		location =
		    arena_printf(&request->arena, "%s%s", public_url_path(request->app->config.public_url), path);
	if (location == NULL) {
		log_error("cannot build the Location header of %s", path_format);
		return;
	}
	http_reply_add_header(request, "Location", location);
}
