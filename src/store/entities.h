/* Plain records the store reads and writes, besides the camera (domain/camera.h).
 * Every field is inline, so a record has no allocations and no owner to track. */
#ifndef CAMFLEET_STORE_ENTITIES_H
#define CAMFLEET_STORE_ENTITIES_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/event.h"
#include "domain/webhook.h"
#include "domain/role.h"
#include "util/uuid.h"

#define ENTITY_NAME_CHARS 200                     /* characters of a name */
#define ENTITY_NAME_MAX   (4 * ENTITY_NAME_CHARS) /* its bytes in UTF-8, without NUL */
#define EMAIL_MAX         254
#define TIME_ZONE_MAX     64
#define SECRET_HASH_MAX   160
#define ASYNC_MESSAGE_MAX 400

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

/* One placement of a camera at a site (each claim and move opens one, closing the previous). */
struct camera_position {
	char id[UUID_BUFFER_SIZE];
	char organisation_id[UUID_BUFFER_SIZE];
	char site_id[UUID_BUFFER_SIZE];
	int64_t started_at; /* epoch seconds */
	int64_t ended_at;   /* epoch seconds; 0 while the camera is still there */
};

struct user {
	char id[UUID_BUFFER_SIZE];
	char organisation_id[UUID_BUFFER_SIZE]; /* "" for operators */
	char email[EMAIL_MAX + 1];
	enum role role;
	char password_hash[SECRET_HASH_MAX + 1]; /* argon2id encoded hash */
	int64_t created_at;
};

/* A refresh token of the password grant: one link of a chain that began with one sign-in. */
#define REFRESH_CLIENT_ID_MAX 128
/* Sign-ins (refresh-token chains) a user keeps at once: a new one ends the oldest beyond this. */
#define REFRESH_CHAINS_PER_USER 50
struct refresh_token {
	char id[UUID_BUFFER_SIZE]; /* the token's lookup part (the token is "<id>.<secret>") */
	char chain_id[UUID_BUFFER_SIZE];
	char user_id[UUID_BUFFER_SIZE];
	char client_id[REFRESH_CLIENT_ID_MAX + 1]; /* the client_id the sign-in gave; "" none */
	char secret_hash[SECRET_HASH_MAX + 1];     /* keyed hash of the secret (auth/secret_mac.h) */
	int64_t chain_started_ms;                  /* the sign-in: revoked with the user's tokens older than it */
	int64_t issued_at, expires_at;             /* epoch seconds */
	int64_t used_at;                           /* epoch seconds it was exchanged; 0: not yet */
};

struct client {
	char id[UUID_BUFFER_SIZE];              /* the OAuth client_id */
	char organisation_id[UUID_BUFFER_SIZE]; /* "" for operators */
	char name[ENTITY_NAME_MAX + 1];
	enum role role;
	char secret_hash[SECRET_HASH_MAX + 1]; /* keyed (auth/secret_mac.h), or a legacy argon2id hash */
	int64_t created_at;
	int64_t secret_issued_ms; /* device credentials (role device): their issue stamp; 0 otherwise */
};

enum async_kind { ASYNC_REGISTER_CAMERA = 1, ASYNC_PUT_CAMERA_STATE = 2 };
enum async_status { ASYNC_CREATED = 0, ASYNC_PROCESSING, ASYNC_SUCCEEDED, ASYNC_FAILED };
#define ASYNC_KIND_COUNT   (ASYNC_PUT_CAMERA_STATE + 1) /* for arrays indexed by kind (0 unused) */
#define ASYNC_STATUS_COUNT (ASYNC_FAILED + 1)

/* "created", "processing", "succeeded", "failed": as stored and as the API shows it (anything
 * else reads as "failed"). */
static inline const char *async_status_name(enum async_status status)
{
	switch (status) {
	case ASYNC_CREATED: return "created";
	case ASYNC_PROCESSING: return "processing";
	case ASYNC_SUCCEEDED: return "succeeded";
	case ASYNC_FAILED: break;
	}
	return "failed";
}

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
	char batch_id[UUID_BUFFER_SIZE]; /* an item of a register-camera batch: the batch; "" otherwise */
	int batch_index;                 /* the item's place in its batch, from 0 */
};

/* A webhook: where events are delivered, and with which secret they are signed. */
struct webhook {
	char id[UUID_BUFFER_SIZE];
	char organisation_id[UUID_BUFFER_SIZE]; /* "": the whole fleet (operators only) */
	char url[WEBHOOK_URL_MAX + 1];
	unsigned event_mask; /* EVENT_TYPE_BIT()s, or WEBHOOK_ALL_EVENTS */
	char description[WEBHOOK_DESCRIPTION_MAX + 1];
	bool enabled;
	int64_t created_at_ms;
	char secret[WEBHOOK_SECRET_SIZE];
	char previous_secret[WEBHOOK_SECRET_SIZE]; /* "" when none; it signs too until the instant below */
	int64_t previous_secret_until_ms;
	int64_t failing_since_ms; /* the first failed attempt since the last success; 0 when none */
};

#define DELIVERY_ERROR_MAX 200 /* bytes of a delivery's error text */

/* One event's delivery to one webhook, as GET /webhooks/{id}/deliveries shows it. */
struct webhook_delivery {
	char id[UUID_BUFFER_SIZE];
	char webhook_id[UUID_BUFFER_SIZE];
	char event_id[UUID_BUFFER_SIZE];
	enum event_type event_type;
	enum delivery_status status;
	unsigned attempts;
	int64_t created_at_ms;
	int64_t last_attempt_at_ms; /* 0: never tried */
	int64_t next_attempt_at_ms; /* 0: none (finished) */
	int response_status;        /* of the last attempt; 0: no HTTP answer */
	char error[DELIVERY_ERROR_MAX + 1];
};

/* A delivery a sender claimed, with everything it needs to send it. */
struct delivery_job {
	char delivery_id[UUID_BUFFER_SIZE];
	char lease_token[UUID_BUFFER_SIZE]; /* proves the claim when the outcome is written */
	char webhook_id[UUID_BUFFER_SIZE];
	unsigned attempts_before;   /* attempts made before this one */
	unsigned schedule_attempts; /* failed attempts since the back-off last started (over) */
	char url[WEBHOOK_URL_MAX + 1];
	char secret[WEBHOOK_SECRET_SIZE];
	char previous_secret[WEBHOOK_SECRET_SIZE]; /* "" when none still signs */
	bool webhook_failing;      /* the webhook has failures since its last success (failing_since_ms) */
	bool event_kept;           /* false: the event was pruned; the delivery can only fail */
	struct event_record event; /* data_json lives only during the callback */
};

/* What became of a claimed delivery. */
enum delivery_outcome_kind {
	OUTCOME_SUCCEEDED, /* the receiver answered 2xx */
	OUTCOME_FAILED,    /* the attempt failed: retried at next_attempt_at_ms, or failed for good */
	OUTCOME_DROPPED,   /* failed for good, not through the receiver's fault (its event is no longer kept) */
	OUTCOME_RELEASED,  /* not attempted (the sender stopped): the lease ends now, no attempt counted */
};

/* What one claimed delivery came to. */
struct delivery_outcome {
	char delivery_id[UUID_BUFFER_SIZE];
	char lease_token[UUID_BUFFER_SIZE];
	char webhook_id[UUID_BUFFER_SIZE];
	enum delivery_outcome_kind kind;
	bool webhook_failing; /* as claimed: a success must clear the webhook's failing_since_ms */
	int response_status;  /* 0: no HTTP answer */
	char error[DELIVERY_ERROR_MAX + 1];
	int64_t attempted_at_ms;
	int64_t next_attempt_at_ms; /* after a failure: when to try again; -1: failed for good */
};

/* Totals of video uploads in a time window. */
struct upload_totals {
	int64_t bytes;
	double seconds;
};

#endif
