/* Event types, actors, and the data object of camera events (see event.h). */
#include "domain/event.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/camera_json.h"
#include "util/timeutil.h"

static const char *const type_names[EVENT_TYPE_COUNT] = {
    [EVENT_CAMERA_REGISTERED] = "camera.registered",
    [EVENT_CAMERA_CLAIMED] = "camera.claimed",
    [EVENT_CAMERA_UPDATED] = "camera.updated",
    [EVENT_CAMERA_PAUSED] = "camera.paused",
    [EVENT_CAMERA_RESUMED] = "camera.resumed",
    [EVENT_CAMERA_MOVED] = "camera.moved",
    [EVENT_CAMERA_DECOMMISSIONED] = "camera.decommissioned",
    [EVENT_CAMERA_OFFLINE] = "camera.offline",
    [EVENT_CAMERA_ONLINE] = "camera.online",
    [EVENT_SITE_OFFLINE] = "site.offline",
    [EVENT_SITE_ONLINE] = "site.online",
    [EVENT_WEBHOOK_TEST] = "webhook.test",
    [EVENT_WEBHOOK_DISABLED] = "webhook.disabled",
};

const char *event_type_name(enum event_type type)
{
	return (unsigned)type < EVENT_TYPE_COUNT ? type_names[type] : "unknown";
}

bool event_type_from_name(const char *name, enum event_type *out)
{
	for (unsigned i = 0; i < EVENT_TYPE_COUNT; i++) {
		if (strcmp(name, type_names[i]) == 0) {
			*out = (enum event_type)i;
			return true;
		}
	}
	return false;
}

static const char *const actor_names[] = {
    [EVENT_ACTOR_USER] = "user",
    [EVENT_ACTOR_CLIENT] = "client",
    [EVENT_ACTOR_DEVICE] = "device",
    [EVENT_ACTOR_SYSTEM] = "system",
};

const char *event_actor_kind_name(enum event_actor_kind kind)
{
	return (unsigned)kind <= EVENT_ACTOR_SYSTEM ? actor_names[kind] : actor_names[EVENT_ACTOR_SYSTEM];
}

enum event_actor_kind event_actor_kind_from_name(const char *name)
{
	for (unsigned i = 0; i <= EVENT_ACTOR_SYSTEM; i++)
		if (strcmp(name, actor_names[i]) == 0)
			return (enum event_actor_kind)i;
	return EVENT_ACTOR_SYSTEM;
}

enum event_type event_type_of_state_change(enum camera_state from, enum camera_state to)
{
	if (to == CAMERA_DECOMMISSIONED)
		return EVENT_CAMERA_DECOMMISSIONED;
	if (from == CAMERA_RUNNING && to == CAMERA_PAUSED)
		return EVENT_CAMERA_PAUSED;
	if (from == CAMERA_PAUSED && to == CAMERA_RUNNING)
		return EVENT_CAMERA_RESUMED;
	return EVENT_TYPE_COUNT;
}

/* A nullable text field as JSON: its text, or null. */
static json_t *optional_text(bool has, const char *text)
{
	return has ? json_string(text) : json_null();
}

/* A nullable text field changed: set or cleared, or set to other text. */
static bool field_differs(bool had, const char *old_text, bool has, const char *new_text)
{
	return had != has || (has && strcmp(old_text, new_text) != 0);
}

bool event_camera_fields_changed(const struct camera *before, const struct camera *after)
{
	return field_differs(before->has_name, before->name, after->has_name, after->name) ||
	       field_differs(before->has_direction1_alias, before->direction1_alias, after->has_direction1_alias,
	                     after->direction1_alias) ||
	       field_differs(before->has_direction2_alias, before->direction2_alias, after->has_direction2_alias,
	                     after->direction2_alias);
}

/* Adds {"old": ..., "new": ...} under name when the field differs between before and after. */
static int add_change(json_t *changes, const char *name, bool had, const char *old_text, bool has, const char *new_text)
{
	if (!field_differs(had, old_text, has, new_text))
		return 0;
	json_t *change =
	    json_pack("{s:o,s:o}", "old", optional_text(had, old_text), "new", optional_text(has, new_text));
	return change != NULL ? json_object_set_new(changes, name, change) : -1;
}

static json_t *camera_changes(const struct camera *before, const struct camera *after)
{
	json_t *changes = json_object();
	if (changes == NULL ||
	    add_change(changes, "name", before->has_name, before->name, after->has_name, after->name) != 0 ||
	    add_change(changes, "direction1Alias", before->has_direction1_alias, before->direction1_alias,
	               after->has_direction1_alias, after->direction1_alias) != 0 ||
	    add_change(changes, "direction2Alias", before->has_direction2_alias, before->direction2_alias,
	               after->has_direction2_alias, after->direction2_alias) != 0 ||
	    add_change(changes, "siteId", before->site_id[0] != '\0', before->site_id, after->site_id[0] != '\0',
	               after->site_id) != 0) {
		json_decref(changes);
		return NULL;
	}
	return changes;
}

/* The keys the type adds beside "camera", as a JSON object (NULL when none or on failure: *failed). */
static json_t *camera_extras(enum event_type type, const struct camera *before, const struct camera *after,
                             bool *failed)
{
	json_t *extras = NULL;
	if (type == EVENT_CAMERA_UPDATED && before != NULL) {
		json_t *changes = camera_changes(before, after);
		extras = changes != NULL ? json_pack("{s:o}", "changes", changes) : NULL;
	} else if (type == EVENT_CAMERA_MOVED && before != NULL) {
		extras = json_pack("{s:s,s:s,s:s}", "fromSiteId", before->site_id, "toSiteId", after->site_id,
		                   "cameraPositionId", after->camera_position_id);
	} else {
		return NULL;
	}
	*failed = extras == NULL;
	return extras;
}

/* Written as text around the camera's JSON (camera_json_write, the API's own shape), so the camera
 * is never parsed back: {"camera":<camera>} plus the extras' members. */
char *event_camera_data(enum event_type type, const struct camera *before, const struct camera *after, int64_t now,
                        unsigned online_window)
{
	char camera_text[CAMERA_JSON_MAX_LENGTH];
	size_t camera_length = camera_json_write(after, false, now, online_window, camera_text, sizeof(camera_text));
	bool failed = camera_length == 0;
	json_t *extras = failed ? NULL : camera_extras(type, before, after, &failed);
	char *extras_text = extras != NULL ? json_dumps(extras, JSON_COMPACT) : NULL;
	json_decref(extras);
	if (failed || (extras != NULL && extras_text == NULL)) {
		free(extras_text);
		return NULL;
	}
	/* extras_text is "{...}": its members go after the camera, its braces are dropped */
	size_t extras_length = extras_text != NULL ? strlen(extras_text) - 2 : 0;
	size_t size = sizeof("{\"camera\":") - 1 + camera_length + 1 + extras_length + 2;
	char *text = malloc(size);
	if (text != NULL) {
		size_t used = (size_t)snprintf(text, size, "{\"camera\":%.*s", (int)camera_length, camera_text);
		if (extras_length > 0)
			used +=
			    (size_t)snprintf(text + used, size - used, ",%.*s", (int)extras_length, extras_text + 1);
		snprintf(text + used, size - used, "}");
	}
	free(extras_text);
	return text;
}

static json_t *optional_id(const char *id)
{
	return id[0] != '\0' ? json_string(id) : json_null();
}

json_t *event_json(const struct event_record *event)
{
	char occurred[RFC3339_BUFFER_SIZE];
	time_format_rfc3339_millis(event->occurred_at_ms, occurred);
	json_t *data = json_loads(event->data_json, 0, NULL);
	if (data == NULL)
		return NULL;
	return json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:{s:s,s:o},s:o}", "id", event->id, "type",
	                 event_type_name(event->type), "occurredAt", occurred, "organisationId",
	                 optional_id(event->organisation_id), "siteId", optional_id(event->site_id), "cameraId",
	                 optional_id(event->camera_id), "actor", "kind", event_actor_kind_name(event->actor.kind), "id",
	                 optional_id(event->actor.id), "data", data);
}

/* An id as JSON: "…" for a UUID (nothing in it needs escaping), null for none. False for anything
 * else, which the slow path writes. */
static bool plain_id_json(const char *id, char out[UUID_BUFFER_SIZE + 2])
{
	if (id[0] == '\0') {
		memcpy(out, "null", 5);
		return true;
	}
	if (!uuid_is_valid(id))
		return false;
	snprintf(out, UUID_BUFFER_SIZE + 2, "\"%s\"", id);
	return true;
}

/* Whether text can be spliced in as the "data" member: an object as the store writes it (compact
 * JSON of json_dumps). Anything else goes through jansson, which parses and checks it. */
static bool spliceable_object(const char *text)
{
	size_t length = text != NULL ? strlen(text) : 0;
	return length >= 2 && text[0] == '{' && text[length - 1] == '}';
}

char *event_json_text(const struct event_record *event, size_t *length)
{
	char organisation[UUID_BUFFER_SIZE + 2], site[UUID_BUFFER_SIZE + 2], camera[UUID_BUFFER_SIZE + 2],
	    actor[UUID_BUFFER_SIZE + 2];
	if (!uuid_is_valid(event->id) || !plain_id_json(event->organisation_id, organisation) ||
	    !plain_id_json(event->site_id, site) || !plain_id_json(event->camera_id, camera) ||
	    !plain_id_json(event->actor.id, actor) || !spliceable_object(event->data_json)) {
		json_t *json = event_json(event); /* the general path: escapes whatever it meets */
		char *text = json != NULL ? json_dumps(json, JSON_COMPACT) : NULL;
		json_decref(json);
		if (text != NULL)
			*length = strlen(text);
		return text;
	}
	char occurred[RFC3339_BUFFER_SIZE];
	time_format_rfc3339_millis(event->occurred_at_ms, occurred);
	static const char format[] = "{\"id\":\"%s\",\"type\":\"%s\",\"occurredAt\":\"%s\",\"organisationId\":%s,"
	                             "\"siteId\":%s,\"cameraId\":%s,\"actor\":{\"kind\":\"%s\",\"id\":%s},\"data\":%s}";
	const char *type = event_type_name(event->type), *kind = event_actor_kind_name(event->actor.kind);
	int needed = snprintf(NULL, 0, format, event->id, type, occurred, organisation, site, camera, kind, actor,
	                      event->data_json);
	if (needed < 0)
		return NULL;
	char *text = malloc((size_t)needed + 1);
	if (text == NULL)
		return NULL;
	snprintf(text, (size_t)needed + 1, format, event->id, type, occurred, organisation, site, camera, kind, actor,
	         event->data_json);
	*length = (size_t)needed;
	return text;
}
