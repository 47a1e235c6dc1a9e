/* Events: what happened to the fleet, as the audit log, the live stream and webhooks show it.
 * Their types and actors, and the "data" object of camera events. Pure: no I/O. */
#ifndef CAMFLEET_DOMAIN_EVENT_H
#define CAMFLEET_DOMAIN_EVENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain/camera.h"
#include "util/uuid.h"

enum event_type {
	EVENT_CAMERA_REGISTERED,
	EVENT_CAMERA_CLAIMED,
	EVENT_CAMERA_UPDATED,
	EVENT_CAMERA_PAUSED,
	EVENT_CAMERA_RESUMED,
	EVENT_CAMERA_MOVED,
	EVENT_CAMERA_DECOMMISSIONED,
	EVENT_CAMERA_OFFLINE,
	EVENT_CAMERA_ONLINE,
	EVENT_SITE_OFFLINE,
	EVENT_SITE_ONLINE,
	EVENT_WEBHOOK_TEST,
	EVENT_WEBHOOK_DISABLED,
	EVENT_TYPE_COUNT
};
#define EVENT_TYPE_BIT(type) (1u << (unsigned)(type))

/* "camera.registered", ...; event_type_from_name is false for any other text. */
const char *event_type_name(enum event_type type);
bool event_type_from_name(const char *name, enum event_type *out);

enum event_actor_kind { EVENT_ACTOR_USER, EVENT_ACTOR_CLIENT, EVENT_ACTOR_DEVICE, EVENT_ACTOR_SYSTEM };

/* "user", "client", "device", "system"; unknown text reads as system. */
const char *event_actor_kind_name(enum event_actor_kind kind);
enum event_actor_kind event_actor_kind_from_name(const char *name);

/* Who made a change: a user, an API client, a camera (its id), or camfleet itself (id ""). */
struct event_actor {
	enum event_actor_kind kind;
	char id[UUID_BUFFER_SIZE];
};

/* One stored event; data_json (the event's "data" object as JSON text) is borrowed: it lives only
 * as long as whatever handed the record over says. */
struct event_record {
	int64_t seq; /* the order of writing (the stream's cursor; not shown by the API) */
	char id[UUID_BUFFER_SIZE];
	enum event_type type;
	int64_t occurred_at_ms;
	char organisation_id[UUID_BUFFER_SIZE]; /* "" for none */
	char site_id[UUID_BUFFER_SIZE];
	char camera_id[UUID_BUFFER_SIZE];
	struct event_actor actor;
	const char *data_json;
};

/* The event as the API, the live stream and webhooks show it: {"id", "type", "occurredAt",
 * "organisationId", "siteId", "cameraId", "actor": {"kind", "id"}, "data"}. NULL when out of memory
 * or its stored data is not JSON. */
json_t *event_json(const struct event_record *event);
/* The same as JSON text, as json_dumps(event_json(event), JSON_COMPACT) writes it, but built
 * around the stored data text without parsing it again (webhooks and live streams format every
 * event they send): the data text is trusted as the store's own compact JSON, so only its shape
 * (an object) is checked. Ids that are not UUIDs take jansson's path. Malloc'd, NUL-terminated,
 * its length in *length; NULL when out of memory or when the stored data is not an object. */
char *event_json_text(const struct event_record *event, size_t *length);

/* What a change records about itself in its event: who, when, and how a camera's isOnline is
 * judged at that moment. */
struct change_origin {
	struct event_actor actor;
	int64_t at_ms;          /* when the change happened (epoch milliseconds) */
	unsigned online_window; /* seconds (--online-window) */
	/* seconds (--offline-alert-after): a camera resumed or moved is looked at for health alerts
	 * that long after the change (domain/health_alert.h) */
	unsigned offline_alert_after;
};

/* The event type of a camera state change (from -> to), or EVENT_TYPE_COUNT when it has none. */
enum event_type event_type_of_state_change(enum camera_state from, enum camera_state to);

/* Whether after differs from before in a field camera.updated names (name, direction aliases): a
 * patch that changed none of them is no change and records no event. */
bool event_camera_fields_changed(const struct camera *before, const struct camera *after);

/* The "data" object of a camera event as compact JSON text (malloc'd; NULL when out of memory or
 * not encodable): {"camera": the camera after the change, without metrics}, and for
 * camera.updated "changes": {field: {"old", "new"}} of the fields that changed (name, the direction
 * aliases; siteId when a deleted site released a decommissioned camera), for camera.moved
 * "fromSiteId", "toSiteId" and "cameraPositionId". before may be NULL (registered, claimed). */
char *event_camera_data(enum event_type type, const struct camera *before, const struct camera *after, int64_t now,
                        unsigned online_window);

#endif
