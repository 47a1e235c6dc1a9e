/* Helpers every resource handler uses: role checks, path UUIDs, JSON body parsing with field
 * validation, and the one mapping of store results to HTTP answers. A helper named ..._or_reply
 * (in api/ and http/; Redis's getLongFromObjectOrReply convention) answers the request itself
 * when it returns false; the handler then just returns http_replied(request). */
#ifndef CAMFLEET_API_COMMON_H
#define CAMFLEET_API_COMMON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "auth/policy.h"
#include "http/reply.h"
#include "http/request.h"
#include "store/store.h"

/* Answers 403 unless the caller's role is in role_mask; action names what was refused. */
bool api_require_role_or_reply(struct http_request *request, unsigned role_mask, const char *action);

/* Copies path parameter index into out as a lowercase UUID; 422 naming name when malformed. */
bool api_path_uuid_or_reply(struct http_request *request, size_t index, const char *name, char out[UUID_BUFFER_SIZE]);

/* Parses the body as a JSON object whose keys are all in allowed (NULL-terminated); 400
 * otherwise. *out is a new reference the caller releases. */
bool api_parse_body_or_reply(struct http_request *request, const char *const *allowed, json_t **out);

/* As api_parse_body_or_reply for a change (PATCH, PUT) of a resource: keys of writable, or of
 * read_only, the other fields its GET answers (so that an answer can be sent back); the 400 for an
 * unknown key lists both. The read-only keys stay in *out: check them with
 * api_read_only_fields_or_reply once the resource is loaded. */
bool api_parse_change_body_or_reply(struct http_request *request, const char *const *writable,
                                    const char *const *read_only, json_t **out);

/* 400 "field '<name>' is read-only: ..." for the first name of compared (NULL-terminated) that body
 * carries with another value than current (the resource as its GET answers it; NULL → 500, out
 * of memory); true when each one it carries is current. Fields not in compared are not looked at. */
bool api_read_only_fields_or_reply(struct http_request *request, json_t *body, const json_t *current,
                                   const char *const *compared);

enum field_need {
	FIELD_REQUIRED, /* must be present and a string */
	FIELD_OPTIONAL, /* may be absent; when present must be a string */
	FIELD_NULLABLE  /* may be absent or null; when present and not null must be a string */
};

/* Reads string field name of body into out (out_size bytes) checking min/max length in
 * characters (Unicode code points; the text must also fit out);
 * 400 naming the field otherwise. *present tells whether it was given (as a string);
 * for FIELD_NULLABLE an explicit null sets *present false and *is_null true. present and
 * is_null may be NULL. */
bool api_string_field_or_reply(struct http_request *request, json_t *body, const char *name, enum field_need need,
                               size_t min, size_t max, char *out, size_t out_size, bool *present, bool *is_null);

/* Reads a UUID string field (normalised to lowercase); 400 when missing (if required) or malformed. */
bool api_uuid_field_or_reply(struct http_request *request, json_t *body, const char *name, bool required,
                             char out[UUID_BUFFER_SIZE], bool *present);

/* The origin of a change the caller makes (its event's actor, now, the online window). */
void api_change_origin(const struct http_request *request, struct change_origin *out);

/* Answers for a failed store operation: STORE_NOT_FOUND → 404 "<what> not found",
 * STORE_CONFLICT → 409 with conflict_message, unavailable → 503, anything else → 500. */
enum MHD_Result api_store_failure(struct http_request *request, enum store_result result, const char *what,
                                  const char *conflict_message);

/* Parses a boolean query flag ("true" or "false"); missing → default_value; 422 otherwise. */
bool api_query_bool_or_reply(struct http_request *request, const char *name, bool default_value, bool *out);

/* Adds the Location header of a 201 or 202 answer: the root-relative URL of the resource created
 * or of the request to poll — path_format (printf, starting with '/') after the path of
 * --public-url (http/public_url.h). Logs and adds nothing should the URL not fit. */
void api_add_location(struct http_request *request, const char *path_format, ...) __attribute__((format(printf, 2, 3)));

/* json_string(text) or json_null() when text is empty: for optional ids and names. */
json_t *api_json_string_or_null(const char *text);
/* RFC 3339 string of epoch seconds, or null when 0. */
json_t *api_json_time_or_null(int64_t epoch_seconds);

#endif
