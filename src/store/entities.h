/* Plain records the store reads and writes, besides the camera (domain/camera.h).
 * Every field is inline, so a record has no allocations and no owner to track. */
#ifndef CAMFLEET_STORE_ENTITIES_H
#define CAMFLEET_STORE_ENTITIES_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/event.h"
#include "domain/role.h"
#include "util/uuid.h"

#define ENTITY_NAME_CHARS 200                     /* characters of a name */
#define ENTITY_NAME_MAX   (4 * ENTITY_NAME_CHARS) /* its bytes in UTF-8, without NUL */
#define EMAIL_MAX         254
#define TIME_ZONE_MAX     64
#define SECRET_HASH_MAX   160
#define ASYNC_MESSAGE_MAX 300

struct organisation {
	char id[UUID_BUFFER_SIZE];
	char name[ENTITY_NAME_MAX + 1];
	int64_t created_at;
};

struct site {
	char id[UUID_BUFFER_SIZE];
	char organisation_id[UUID_BUFFER_SIZE];
	char name[ENTITY_NAME_MAX + 1];
	char time_zone[TIME_ZONE_MAX + 1]; /* IANA name, e.g. "Europe/London" */
	int64_t created_at;
};

struct user {
	char id[UUID_BUFFER_SIZE];
	char organisation_id[UUID_BUFFER_SIZE]; /* "" for operators */
	char email[EMAIL_MAX + 1];
	enum role role;
	char password_hash[SECRET_HASH_MAX + 1]; /* argon2id encoded hash */
	int64_t created_at;
};

struct client {
	char id[UUID_BUFFER_SIZE];              /* the OAuth client_id */
	char organisation_id[UUID_BUFFER_SIZE]; /* "" for operators */
	char name[ENTITY_NAME_MAX + 1];
	enum role role;
	char secret_hash[SECRET_HASH_MAX + 1]; /* argon2id encoded hash */
	int64_t created_at;
	int64_t secret_issued_ms; /* device credentials (role device): their issue stamp; 0 otherwise */
};

enum async_kind { ASYNC_REGISTER_CAMERA = 1, ASYNC_PUT_CAMERA_STATE = 2 };
enum async_status { ASYNC_CREATED = 0, ASYNC_PROCESSING, ASYNC_SUCCEEDED, ASYNC_FAILED };

struct async_request {
	char id[UUID_BUFFER_SIZE];
	enum async_kind kind;
	enum async_status status;
	char message[ASYNC_MESSAGE_MAX + 1];
	char camera_id[UUID_BUFFER_SIZE];
	char serial_number[129];                /* ASYNC_REGISTER_CAMERA */
	char new_state[16];                     /* ASYNC_PUT_CAMERA_STATE: "claimed" | "claimed_paused" */
	char organisation_id[UUID_BUFFER_SIZE]; /* who may read it; "" = operators only */
	struct event_actor requester;           /* who asked: the actor of the worker's change */
	int64_t created_at;
	int64_t updated_at;
};

/* One stored event; data_json (the event's "data" object as JSON text) lives only during the
 * listing callback that receives it. */
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

/* Totals of video uploads in a time window. */
struct upload_totals {
	int64_t bytes;
	double seconds;
};

#endif
