/* The store interface: everything camfleet keeps, behind one table of data operations per back
 * end (SQLite, PostgreSQL; most operations are written once for both, see store/README.md), the
 * cross-node messages and what the back end can do. Callers call store->ops->operation(store, ...)
 * directly. Every operation is safe to call from any thread at the same time. */
#ifndef CAMFLEET_STORE_STORE_H
#define CAMFLEET_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/async_outcome.h"
#include "domain/camera.h"
#include "domain/health_alert.h"
#include "store/entities.h"

/* One result enum for every store operation; mapped to HTTP status in one place only:
 * api_store_failure() in api/common.c. */
enum store_result {
	STORE_OK = 0,
	STORE_NOT_FOUND = -1,   /* no such row (or not in the given scope) */
	STORE_CONFLICT = -2,    /* a unique key or the expected state did not hold */
	STORE_ERROR = -3,       /* the database failed; details are logged by the back end */
	STORE_UNAVAILABLE = -4, /* the database cannot be reached */
	STORE_LIMIT = -5        /* the write would take a collection past its documented cap */
};

/* A filter for listing cameras. Empty strings mean "no restriction". */
enum { CAMERA_FILTER_ONLINE = 1, CAMERA_FILTER_OFFLINE = 2 };
struct camera_filter {
	char organisation_id[UUID_BUFFER_SIZE];
	char site_id[UUID_BUFFER_SIZE];
	/* Keep only cameras at sites granted to these users (viewers); up to two apply at once:
	 * the caller's own grants and those of a ?userId= filter. */
	char granted_user_id[2][UUID_BUFFER_SIZE];
	unsigned state_mask;                       /* CAMERA_STATE_BIT()s; 0 = any state */
	char after_id[UUID_BUFFER_SIZE];           /* keyset cursor: only ids greater than this */
	unsigned limit;                            /* at most this many rows, in id order */
	char serial_number[CAMERA_SERIAL_MAX + 1]; /* only this serial number; "" = any */
	/* Only cameras online (CAMERA_FILTER_ONLINE) or offline (CAMERA_FILTER_OFFLINE) by
	 * camera_is_online's rule, online meaning a heartbeat at or after online_since (now -
	 * --online-window); 0 = either (a zeroed filter keeps every camera). */
	int online;
	int64_t online_since;
	/* A LIKE pattern (already lowercased, % _ and \ escaped with \, wrapped in %) that the
	 * lowercased name or serial number must match; "" = any. */
	char text_pattern[2 * CAMERA_TEXT_MAX + 3];
};

/* What the device link checks on every device request: the camera and its device credentials. */
struct device_camera {
	enum camera_state state;
	char organisation_id[UUID_BUFFER_SIZE]; /* "" when never claimed */
	bool has_credentials;                   /* device credentials exist (not revoked) */
	int64_t secret_issued_ms;               /* their issue stamp (see clients.secret_issued_ms); 0 without */
};

/* One heartbeat as the device reported it, and when it arrived. */
struct heartbeat {
	char camera_id[UUID_BUFFER_SIZE];
	int64_t at;         /* epoch seconds: becomes last_seen_at */
	bool shutting_down; /* "status": "shutting_down": offline at once */
	/* Epoch ms the health-alert evaluator must look at the camera when it has no alert open: about
	 * when its offline alert would be due with no further heartbeat (health_alert_heartbeat_due_ms,
	 * never later than exactly). With an
	 * alert open it is looked at at once (camera.online); a camera not running is not looked at. */
	int64_t alert_due_ms;
	double encoded_frames_proportion;
	double network_transmit_rate;
	double video_backlog;
	double video_upload_latency;
	/* The camera's own "state"; CAMERA_REPORTED_UNKNOWN when the heartbeat did not say: the stored
	 * one stays. */
	enum camera_reported_state reported_state;
	/* The device token's credential stamp (principal.credential_issued_ms): the heartbeat is written
	 * only while the camera's device credentials carry it, else it finds nothing (found false), so
	 * a revocation or rotation holds on every node at once. 0 binds nothing (tools, tests). */
	int64_t credential_issued_ms;
};

/* What writing one heartbeat found. */
struct heartbeat_outcome {
	bool found;              /* the camera exists */
	enum camera_state state; /* its state in the transaction that wrote the heartbeat */
};

/* Called once per listed row; return 0 to go on, non-zero to stop early. */
typedef int (*camera_row_fn)(void *context, const struct camera *camera);
/* One group of camera_count_groups: count cameras of organisation_id in state, online or not. */
typedef void (*camera_count_fn)(void *context, enum camera_state state, bool online, int64_t count,
                                const char *organisation_id);
/* One group of camera_site_count_groups: count cameras at site_id (NULL: at no site) in state,
 * online or not; return 0 to go on, non-zero to stop. */
typedef int (*camera_site_count_fn)(void *context, const char *site_id, enum camera_state state, bool online,
                                    int64_t count);
typedef int (*site_row_fn)(void *context, const struct site *site);
typedef int (*organisation_row_fn)(void *context, const struct organisation *organisation);
typedef int (*user_row_fn)(void *context, const struct user *user);
typedef int (*client_row_fn)(void *context, const struct client *client);
typedef int (*site_id_fn)(void *context, const char *site_id);
typedef int (*camera_position_fn)(void *context, const struct camera_position *position);
typedef int (*site_exception_fn)(void *context, const char *date, const char *intervals_json);
/* One stored signing key; the texts live only during the call. */
struct signing_key_record {
	const char *kid;
	const char *private_pem; /* "" once retired */
	const char *public_pem;  /* "" for a key stored before rotation existed (derive it) */
	int64_t created_at;      /* epoch seconds */
	int64_t retired_at;      /* epoch seconds; 0 while the key signs */
};
typedef int (*signing_key_fn)(void *context, const struct signing_key_record *key);
/* One stored key of the keyed secret hashes (auth/secret_keys.c); the texts live only during the call. */
struct secret_hash_key_record {
	const char *id;
	const char *key_text; /* base64url of the key's 32 bytes */
	int64_t created_at;   /* epoch seconds */
	int64_t retired_at;   /* epoch seconds; 0 while the key hashes new secrets */
};
typedef int (*secret_hash_key_fn)(void *context, const struct secret_hash_key_record *key);
/* One subject's revocation stamp. */
struct token_revocation {
	char subject_id[UUID_BUFFER_SIZE];
	int64_t valid_from_ms; /* tokens of the subject issued before this are refused */
	int64_t changed_at_ms; /* when the row was last written (the writer's clock) */
};
typedef int (*token_revocation_fn)(void *context, const struct token_revocation *row);
/* Called with each message another node published; see store_messages.subscribe. */
typedef void (*store_message_fn)(void *context, const char *message);

#define STORE_MESSAGE_MAX 200 /* bytes of a cross-node message, without NUL */

/* A filter for listing events, newest first. Empty strings and zeros mean "no restriction". */
struct event_filter {
	unsigned type_mask; /* EVENT_TYPE_BIT()s */
	char camera_id[UUID_BUFFER_SIZE];
	char site_id[UUID_BUFFER_SIZE];
	int64_t since_ms; /* only events that occurred at or after this */
	/* Visibility: only events of this organisation; only events at sites granted to this user. */
	char organisation_id[UUID_BUFFER_SIZE];
	char granted_user_id[UUID_BUFFER_SIZE];
	char before_id[UUID_BUFFER_SIZE]; /* keyset cursor: only events written before this one */
	char id[UUID_BUFFER_SIZE];        /* only this event */
	unsigned limit;                   /* at most this many rows; 0 = all */
	/* Oldest first, only events written after after_seq (a live stream's cursor), instead of
	 * newest first. */
	bool ascending;
	int64_t after_seq;
};
typedef int (*event_row_fn)(void *context, const struct event_record *event);
typedef int (*webhook_row_fn)(void *context, const struct webhook *webhook);
typedef int (*delivery_row_fn)(void *context, const struct webhook_delivery *delivery);
typedef int (*delivery_job_fn)(void *context, const struct delivery_job *job);
/* What a sender's round claims (store_ops.delivery_round). */
struct delivery_claim {
	int64_t now_ms, lease_ms;
	unsigned per_webhook;
	unsigned max; /* 0: claims nothing */
	int64_t disable_before_ms;
};

/* A page of webhooks or deliveries: keyset cursor and size. */
struct page_cursor {
	char after_id[UUID_BUFFER_SIZE]; /* "": from the start */
	unsigned limit;
};

/* A camera the health-alert evaluator claimed: its row and its alert. */
struct alert_row {
	struct camera camera;
	enum alert_state alert_state;
	int64_t alert_sent_at_ms;       /* when its open alert went out; 0: none */
	int64_t alert_offline_since_ms; /* the open alert's offlineSince; 0: none */
};
typedef int (*alert_row_fn)(void *context, const struct alert_row *row);

/* One decision of the evaluator to apply (store_ops.alert_apply). */
struct alert_change {
	const struct alert_row *seen;   /* the camera as decided on */
	struct alert_decision decision; /* its action, next look (0: none) and offline-since */
	const struct alert_settings *settings;
	const struct change_origin *origin; /* the system, now */
};

/* What a claim or move writes, beyond the camera's identity. */
struct camera_placement {
	char organisation_id[UUID_BUFFER_SIZE];
	char site_id[UUID_BUFFER_SIZE];
	char camera_position_id[UUID_BUFFER_SIZE]; /* fresh id for the new position */
	int64_t at;                                /* epoch seconds */
};

/* Which text fields a patch sets; a set field with has_* false clears it (null). */
struct camera_patch {
	bool set_name, set_direction1_alias, set_direction2_alias;
	bool has_name, has_direction1_alias, has_direction2_alias;
	char name[CAMERA_TEXT_MAX + 1];
	char direction1_alias[CAMERA_TEXT_MAX + 1];
	char direction2_alias[CAMERA_TEXT_MAX + 1];
};

/* One camera of camera_register_many: the pair to register, and what registering it found. */
struct camera_registration {
	char camera_id[UUID_BUFFER_SIZE];
	char serial_number[CAMERA_SERIAL_MAX + 1];
	enum registration_result result;   /* out */
	char other[CAMERA_SERIAL_MAX + 1]; /* out: ID_TAKEN: the camera's serial; SERIAL_TAKEN: its camera id */
};

/* How the worker has requests carried out (store_ops.async_carry_out). */
struct async_work {
	unsigned max;                 /* requests per transaction, at least 1 */
	int64_t now_ms;               /* the changes' time */
	int64_t stale_before;         /* epoch seconds (PostgreSQL; see async_carry_out) */
	unsigned online_window;       /* for the changes' origin (struct change_origin) */
	unsigned offline_alert_after; /* likewise */
};
/* Called with each request carried out (committed): its final status and message in request. */
typedef void (*async_done_fn)(void *context, const struct async_request *request);
/* Called once per listed request; return 0 to go on, non-zero to stop early. */
typedef int (*async_row_fn)(void *context, const struct async_request *request);

struct store;

/* The data operations: one static const table per back end (store/backends.h). */
struct store_ops {
	/* STORE_OK when the database answers (and, with several nodes, the cross-node bus listens). */
	enum store_result (*ping)(struct store *store);

	/* Signing keys (auth/signing_keys.c). The current key (retired_at NULL) signs; retired keys
	 * only verify the tokens they signed until those expire, and lose their private part when
	 * retired. The first key is created by whichever node starts first: an insert racing it
	 * answers STORE_CONFLICT (the PostgreSQL schema admits one current key), and the loser reads
	 * the winner's key. */
	/* Calls row for every stored key, the newest first. */
	enum store_result (*signing_key_list)(struct store *, signing_key_fn row, void *context);
	/* The kid of the current key; STORE_NOT_FOUND when there is none. A cheap read, polled. */
	enum store_result (*signing_key_current)(struct store *, char *kid, size_t kid_size);
	enum store_result (*signing_key_insert)(struct store *, const char *kid, const char *private_pem,
	                                        const char *public_pem, int64_t at);
	/* In one transaction: retires the current key old_kid at `at` (wiping its private part, keeping
	 * old_public_pem), inserts the new current key, and deletes keys retired before forget_before.
	 * STORE_CONFLICT when old_kid is no longer the current key (another rotation ran). */
	enum store_result (*signing_key_rotate)(struct store *, const char *old_kid, const char *old_public_pem,
	                                        const char *kid, const char *private_pem, const char *public_pem,
	                                        int64_t at, int64_t forget_before);

	/* Keys of the keyed hashes of generated secrets (auth/secret_keys.c), created like the first
	 * signing key: an insert racing another node's answers STORE_CONFLICT (one current key), and
	 * the loser reads the winner's. */
	/* Calls row for every stored key, the current one first, then the newest. */
	enum store_result (*secret_hash_key_list)(struct store *, secret_hash_key_fn row, void *context);
	enum store_result (*secret_hash_key_insert)(struct store *, const char *id, const char *key_text, int64_t at);

	/* Token revocations: per subject (user or client id), tokens issued before valid_from_ms are
	 * refused. user_update, user_delete and client_delete write a subject's row in their own
	 * transaction when given a tokens_valid_from_ms other than 0 (a later stamp is kept). */
	/* Calls row for each row changed after changed_after_ms (changed_at_ms order). */
	enum store_result (*token_revocation_list)(struct store *, int64_t changed_after_ms, token_revocation_fn row,
	                                           void *context);
	/* The subject's stamp into *valid_from_ms; STORE_NOT_FOUND when it has none. */
	enum store_result (*token_revocation_get)(struct store *, const char *subject_id, int64_t *valid_from_ms);
	/* Deletes the rows last changed before changed_before_ms (no token they refuse is unexpired
	 * once that is a token lifetime ago). */
	enum store_result (*token_revocation_prune)(struct store *, int64_t changed_before_ms);

	/* Refresh tokens (struct refresh_token). insert (a sign-in's first token): STORE_NOT_FOUND when
	 * the user is gone or its tokens were revoked after chain_started_ms (the sign-in raced a
	 * password or role change); the user's oldest chains beyond REFRESH_CHAINS_PER_USER are deleted.
	 * rotate: in one transaction marks used_id used at used_at and writes next, its successor;
	 * STORE_CONFLICT when used_id was already used, STORE_NOT_FOUND when it is gone (its chain
	 * revoked, its user deleted or changed as above). revoke_chain deletes every token of a chain;
	 * prune those expired before expired_before (epoch seconds). user_update with a
	 * tokens_valid_from_ms deletes the user's refresh tokens; user_delete too. */
	enum store_result (*refresh_token_insert)(struct store *, const struct refresh_token *token);
	enum store_result (*refresh_token_get)(struct store *, const char *id, struct refresh_token *out);
	enum store_result (*refresh_token_rotate)(struct store *, const char *used_id, int64_t used_at,
	                                          const struct refresh_token *next);
	enum store_result (*refresh_token_revoke_chain)(struct store *, const char *chain_id);
	enum store_result (*refresh_token_prune)(struct store *, int64_t expired_before);

	/* Organisations. */
	enum store_result (*organisation_insert)(struct store *, const struct organisation *);
	enum store_result (*organisation_get)(struct store *, const char *id, struct organisation *out);
	enum store_result (*organisation_list)(struct store *, organisation_row_fn, void *context);
	enum store_result (*organisation_update)(struct store *, const struct organisation *);
	/* STORE_CONFLICT while the organisation still has sites, users, clients or cameras. */
	enum store_result (*organisation_delete)(struct store *, const char *id);

	/* Sites; organisation_id "" lists all, granted_user_id non-"" keeps that user's grants. */
	enum store_result (*site_insert)(struct store *, const struct site *);
	enum store_result (*site_get)(struct store *, const char *id, struct site *out);
	enum store_result (*site_list)(struct store *, const char *organisation_id, const char *granted_user_id,
	                               site_row_fn, void *context);
	enum store_result (*site_update)(struct store *, const struct site *);
	/* STORE_CONFLICT while running or paused cameras are placed at the site. The decommissioned
	 * cameras last placed there lose it (site_id ""), each with a camera.updated event by origin
	 * naming the change of siteId; their positions stay. */
	enum store_result (*site_delete)(struct store *, const char *id, const struct change_origin *origin);

	/* Opening hours of a site, kept as the JSON text the API validated. Getters hand back a
	 * malloc'd string the caller frees; STORE_NOT_FOUND when nothing was set. Dates are local
	 * "YYYY-MM-DD". */
	enum store_result (*site_hours_get)(struct store *, const char *site_id, char **weekly_json_out);
	enum store_result (*site_hours_put)(struct store *, const char *site_id, const char *weekly_json, int64_t at);
	enum store_result (*site_exception_get)(struct store *, const char *site_id, const char *date,
	                                        char **intervals_json_out);
	/* Sets the exception of date (replacing one there). A new date is refused with STORE_LIMIT
	 * when the site already has max_per_site exceptions; the count and the insert are atomic
	 * (concurrent writers of one site cannot pass the cap together). STORE_NOT_FOUND: no such site. */
	enum store_result (*site_exception_put)(struct store *, const char *site_id, const char *date,
	                                        const char *intervals_json, int64_t at, unsigned max_per_site);
	enum store_result (*site_exception_delete)(struct store *, const char *site_id, const char *date);
	/* Calls row for each exception of the site, in date order. */
	enum store_result (*site_exception_list)(struct store *, const char *site_id, site_exception_fn, void *context);

	/* Calls row for each position of the camera, newest first (the latest opened first), at
	 * most limit of them; organisation_id non-"" keeps that organisation's positions, granted_user_id
	 * non-"" those at sites granted to that user. No such camera: no rows (STORE_OK). */
	enum store_result (*camera_position_list)(struct store *, const char *camera_id, const char *organisation_id,
	                                          const char *granted_user_id, size_t limit, camera_position_fn row,
	                                          void *context);

	/* Users; STORE_CONFLICT on a duplicate email. */
	enum store_result (*user_insert)(struct store *, const struct user *);
	enum store_result (*user_get)(struct store *, const char *id, struct user *out);
	enum store_result (*user_get_by_email)(struct store *, const char *email, struct user *out);
	enum store_result (*user_list)(struct store *, const char *organisation_id, user_row_fn, void *context);
	/* tokens_valid_from_ms: 0, or the user's revocation stamp to write with the change (above). */
	enum store_result (*user_update)(struct store *, const struct user *, int64_t tokens_valid_from_ms);
	enum store_result (*user_delete)(struct store *, const char *id, int64_t tokens_valid_from_ms);
	/* Replaces the user's granted sites with site_ids (count entries). */
	enum store_result (*user_sites_set)(struct store *, const char *user_id, const char *const *site_ids,
	                                    size_t count);
	enum store_result (*user_sites_list)(struct store *, const char *user_id, site_id_fn, void *context);
	/* STORE_OK when the site is granted to the user, STORE_NOT_FOUND when not. */
	enum store_result (*user_site_granted)(struct store *, const char *user_id, const char *site_id);

	/* API clients. */
	enum store_result (*client_insert)(struct store *, const struct client *);
	enum store_result (*client_get)(struct store *, const char *id, struct client *out);
	enum store_result (*client_list)(struct store *, const char *organisation_id, client_row_fn, void *context);
	enum store_result (*client_delete)(struct store *, const char *id, int64_t tokens_valid_from_ms);
	/* Replaces the secret hash of client id (device credentials included) by new_hash only while it
	 * still is old_hash (a legacy hash rewritten on use); STORE_NOT_FOUND when it no longer is
	 * (the client was deleted or its credentials were issued again meanwhile). */
	enum store_result (*client_secret_rehash)(struct store *, const char *id, const char *old_hash,
	                                          const char *new_hash);

	/* Cameras. */
	/* The camera writes below record their event (store.h's struct event_record; its actor and time
	 * from origin) in the transaction of the change: no change without its event, and none without
	 * its change. */
	/* Inserts a registered camera; STORE_CONFLICT when the id or serial number exists. */
	enum store_result (*camera_register)(struct store *, const char *id, const char *serial_number, int64_t at,
	                                     const struct change_origin *origin);
	/* Registers each pair not registered yet, in one transaction, each new camera with its event;
	 * items[i].result says what items[i] found (a pair already registered, or a conflicting camera,
	 * is left as it is and fails nothing else). */
	enum store_result (*camera_register_many)(struct store *, struct camera_registration *items, size_t count,
	                                          int64_t at, const struct change_origin *origin);
	enum store_result (*camera_get)(struct store *, const char *id, struct camera *out);
	enum store_result (*camera_get_by_serial)(struct store *, const char *serial_number, struct camera *out);
	/* Reads count cameras at once: out[i] and found[i] for ids[i] (ids may repeat). STORE_OK even
	 * when some are missing; a failure applies to all. */
	enum store_result (*camera_get_many)(struct store *, const char *const *ids, size_t count, struct camera *out,
	                                     bool *found);
	/* Calls row for each camera matching filter, in id order. */
	enum store_result (*camera_list)(struct store *, const struct camera_filter *, camera_row_fn, void *context);
	/* Claims the camera with this serial if its state is in claimable_mask: sets it running at the
	 * placement with a new position (name set when has_name); STORE_CONFLICT when not claimable. */
	enum store_result (*camera_claim)(struct store *, const char *serial_number, unsigned claimable_mask,
	                                  const struct camera_placement *, bool has_name, const char *name,
	                                  const struct change_origin *origin, struct camera *out);
	/* Sets state to new_state if the current state is expected_state; STORE_CONFLICT if not.
	 * Decommissioning also revokes the camera's device credentials and drops its latest frame. */
	enum store_result (*camera_set_state)(struct store *, const char *id, enum camera_state expected_state,
	                                      enum camera_state new_state, int64_t at,
	                                      const struct change_origin *origin, struct camera *out);
	/* Moves the camera (in expected_state) to the placement's site with a new position. */
	enum store_result (*camera_move)(struct store *, const char *id, enum camera_state expected_state,
	                                 const struct camera_placement *, const struct change_origin *origin,
	                                 struct camera *out);
	/* Applies a patch to a camera in expected_state (its event names the fields that changed; a patch
	 * that changed none records no event). */
	enum store_result (*camera_patch)(struct store *, const char *id, enum camera_state expected_state,
	                                  const struct camera_patch *, const struct change_origin *origin,
	                                  struct camera *out);

	/* Health alerts (jobs/health_alerts.c, domain/health_alert.h). Each camera keeps its alert state
	 * and alert_at_ms, when the evaluator must look at it next (indexed: a round reads only the
	 * cameras due). Heartbeats set it (struct heartbeat), pausing or decommissioning closes an open
	 * alert silently (no look), resuming or moving starts afresh (a look offline_alert_after later). */
	/* Claims up to limit cameras due at now_ms (earliest first), moving their alert_at_ms to
	 * lease_until_ms so that no other evaluator takes them meanwhile (PostgreSQL: rows another
	 * node is claiming are skipped), and calls row for each. */
	enum store_result (*alert_claim_due)(struct store *, int64_t now_ms, int64_t lease_until_ms, unsigned limit,
	                                     alert_row_fn row, void *context);
	/* Applies a decision in one transaction with its event: STORE_CONFLICT (nothing written) when
	 * the camera's state, last heartbeat or alert state are no longer those seen (whoever changed
	 * them set its next look). ALERT_ACTION_CAMERA_OFFLINE locks the site and emits one
	 * site.offline for the site (alert_state 2 for its cameras) when health_alert_site_down holds
	 * for its running cameras; ALERT_ACTION_SITE_ONLINE closes the site's alert and starts its
	 * cameras afresh (health_alert_restart_ms). */
	enum store_result (*alert_apply)(struct store *, const struct alert_change *change);

	/* Events (the audit log): calls row for each event matching filter, newest first. */
	enum store_result (*event_list)(struct store *, const struct event_filter *, event_row_fn row, void *context);
	/* Deletes up to max_rows of the oldest events that occurred before before_ms (a batch, so that
	 * a large backlog never holds the database for long), and as many finished webhook deliveries
	 * made before it; the number of events deleted goes to *deleted. */
	enum store_result (*event_prune)(struct store *, int64_t before_ms, unsigned max_rows, long *deleted);

	/* Webhooks. Every event write (shared_event_write) also writes, in its transaction, a pending
	 * delivery for each enabled webhook that subscribes to its type and may see it (its
	 * organisation's events; a fleet webhook every event); webhook.test goes only where
	 * webhook_test sends it. STORE_LIMIT: the organisation (or the fleet) has max webhooks. */
	enum store_result (*webhook_insert)(struct store *, const struct webhook *, unsigned max);
	enum store_result (*webhook_get)(struct store *, const char *id, struct webhook *out);
	/* Webhooks of organisation_id ("" every one), in id order from page. */
	enum store_result (*webhook_list)(struct store *, const char *organisation_id, const struct page_cursor *page,
	                                  webhook_row_fn row, void *context);
	/* Writes url, event_mask and description of changes; and enabled unless it is NULL: turning a
	 * disabled webhook on forgets its failures (failing_since_ms). The webhook as written goes to
	 * out. (enabled as it is in the row, so that a patch racing the sender's disabling keeps it.) */
	enum store_result (*webhook_update)(struct store *, const struct webhook *changes, const bool *enabled,
	                                    struct webhook *out);
	/* The current secret becomes the previous one (signing until previous_until_ms) and secret the
	 * current one. */
	enum store_result (*webhook_rotate_secret)(struct store *, const char *id, const char *secret,
	                                           int64_t previous_until_ms);
	/* Deletes the webhook with its deliveries. */
	enum store_result (*webhook_delete)(struct store *, const char *id);
	/* Records a webhook.test event (data_json its data, of the webhook's organisation) and its one
	 * delivery, to this webhook only, due at once. */
	enum store_result (*webhook_test)(struct store *, const struct webhook *, const struct change_origin *origin,
	                                  const char *data_json, struct webhook_delivery *out);
	/* Deliveries of a webhook, newest first, from page; status_mask: 1 << enum delivery_status, 0 = any. */
	enum store_result (*delivery_list)(struct store *, const char *webhook_id, unsigned status_mask,
	                                   const struct page_cursor *page, delivery_row_fn row, void *context);
	enum store_result (*delivery_get)(struct store *, const char *webhook_id, const char *id,
	                                  struct webhook_delivery *out);
	/* Makes the delivery pending and due at now_ms, its back-off starting over. */
	enum store_result (*delivery_retry)(struct store *, const char *webhook_id, const char *id, int64_t now_ms,
	                                    struct webhook_delivery *out);
	/* A sender's round, in one transaction: first writes count outcomes of its attempts (one whose
	 * lease another sender took over since is skipped; a failure starts or keeps its webhook's
	 * failing_since_ms, a success clears it, and a failure of a webhook failing since before
	 * claim->disable_before_ms disables it with a webhook.disabled event); then claims up to
	 * claim->max due deliveries of enabled webhooks, the earliest due first, no more than
	 * claim->per_webhook of one webhook in flight (counting those other senders hold), leasing each
	 * until claim->now_ms + claim->lease_ms (no other sender takes it meanwhile; once the lease ends,
	 * one may), and calls job for each. */
	enum store_result (*delivery_round)(struct store *, const struct delivery_outcome *outcomes, size_t count,
	                                    const struct delivery_claim *claim, delivery_job_fn job, void *context);

	/* Device-fed data (the device link fills these; until then they are empty). */
	/* Sums the camera's raw video upload reports made in [from, to) (raw reports are kept 48 hours). */
	enum store_result (*upload_totals)(struct store *, const char *camera_id, int64_t from, int64_t to,
	                                   struct upload_totals *out);
	/* Sums the camera's hourly upload buckets (reports from its claim on, per UTC hour) whose hour
	 * starts in [from_hour, to_hour). */
	enum store_result (*upload_hour_totals)(struct store *, const char *camera_id, int64_t from_hour,
	                                        int64_t to_hour, struct upload_totals *out);
	/* Housekeeping: deletes up to max_rows raw upload reports made before `before` (epoch seconds, in
	 * no promised order); *deleted says how many went. */
	enum store_result (*upload_report_prune)(struct store *, int64_t before, unsigned max_rows, long *deleted);
	/* Housekeeping: deletes up to max_rows hour buckets starting before before_hour; *deleted says how
	 * many went. */
	enum store_result (*upload_hour_prune)(struct store *, int64_t before_hour, unsigned max_rows, long *deleted);
	/* The latest frame: a malloc'd JPEG the caller frees, and when it was taken. */
	enum store_result (*frame_latest)(struct store *, const char *camera_id, unsigned char **jpeg_out,
	                                  size_t *length_out, int64_t *taken_at_out);

	/* The device link (src/device/, api/device*.c). */
	/* The camera and its device credentials; STORE_NOT_FOUND when there is no such camera. */
	enum store_result (*device_camera_get)(struct store *, const char *camera_id, struct device_camera *out);
	/* Issues (or rotates: replaces in one transaction) the camera's device credentials, a clients row
	 * with id = camera id, role device, the camera's organisation and secret_hash. The new stamp,
	 * later than any before it (revoked ones too) and at least now_ms, goes to *issued_ms_out. STORE_NOT_FOUND: no
	 * such camera; STORE_CONFLICT: the camera's state is not in allowed_states, or an API client that is not a
	 * device already has this id. */
	enum store_result (*device_credentials_put)(struct store *, const char *camera_id, const char *secret_hash,
	                                            int64_t now_ms, unsigned allowed_states, int64_t *issued_ms_out);
	/* Revokes the camera's device credentials; STORE_NOT_FOUND when it has none. (Decommissioning
	 * through camera_set_state revokes them too, in its own transaction.) */
	enum store_result (*device_credentials_delete)(struct store *, const char *camera_id);
	/* Writes count heartbeats in one transaction (one durable commit): last_seen_at, the shutdown
	 * flag and the four metrics; outcomes[i] tells what beats[i] found. All or nothing; a NaN
	 * metric refuses the batch (STORE_CONFLICT: SQLite cannot keep NaN). */
	enum store_result (*camera_heartbeats_write)(struct store *, const struct heartbeat *beats, size_t count,
	                                             struct heartbeat_outcome *outcomes);
	/* Records a video upload, adds it to its UTC hour's bucket (when made at or after the camera's
	 * claim) and raises the camera's last_video_at to uploaded_at, in one transaction;
	 * STORE_NOT_FOUND when there is no such camera or its device credentials no longer carry
	 * credential_issued_ms (0 binds nothing, as in struct heartbeat), STORE_CONFLICT for NaN seconds. */
	enum store_result (*video_upload_insert)(struct store *, const char *camera_id, int64_t credential_issued_ms,
	                                         int64_t uploaded_at, int64_t bytes, double seconds);
	/* Makes jpeg (length bytes) the camera's latest frame, taken at taken_at; STORE_NOT_FOUND when
	 * there is no such camera or its device credentials no longer carry credential_issued_ms. */
	enum store_result (*frame_put)(struct store *, const char *camera_id, int64_t credential_issued_ms,
	                               const unsigned char *jpeg, size_t length, int64_t taken_at);

	/* Asynchronous requests. */
	enum store_result (*async_insert)(struct store *, const struct async_request *);
	enum store_result (*async_get)(struct store *, const char *id, struct async_request *out);
	/* Takes the oldest request in state created (or processing left over by a crash, once
	 * older than stale_before) and marks it processing; STORE_NOT_FOUND when none waits.
	 * On STORE_OK, out->status is the status the request had when taken: ASYNC_CREATED, or
	 * ASYNC_PROCESSING when it is taken again after a crash (the row is now processing). */
	enum store_result (*async_claim_next)(struct store *, int64_t now, int64_t stale_before,
	                                      struct async_request *out);
	/* STORE_NOT_FOUND when the request is not processing (unknown, or already finished). */
	enum store_result (*async_finish)(struct store *, const char *id, enum async_status status, const char *message,
	                                  int64_t at);
	/* Inserts count requests (the items of a register-camera batch) in one transaction, in order. */
	enum store_result (*async_insert_many)(struct store *, const struct async_request *requests, size_t count);
	/* Calls row for each item of batch batch_id in batch_index order (none: STORE_OK, no call). */
	enum store_result (*async_batch_list)(struct store *, const char *batch_id, async_row_fn row, void *context);
	/* The worker's step: carries out up to work->max waiting requests in one transaction (one durable
	 * commit). It takes them in arrival order, first any a dead worker left processing (SQLite: every
	 * one, since a SQLite file has one server and its worker never commits that status; PostgreSQL:
	 * once untouched since work->stale_before, left by an older version), then created ones; on
	 * PostgreSQL FOR UPDATE SKIP LOCKED, so that no other node takes them while this transaction
	 * lives and a dead node's are free the moment its session ends. It applies each in turn with its
	 * event (a registration as camera_register_many does, a state change as state_change_decide
	 * says, the camera row locked) — a request that fails fails alone — writes each one's final
	 * status and message, commits, then calls done for each. *count: how many (0: none waited). A
	 * state change whose camera row another transaction holds is not waited for: it stays created,
	 * for a later call, counted in *held_count (PostgreSQL; one slow transaction holds up no other
	 * request). */
	enum store_result (*async_carry_out)(struct store *, const struct async_work *work, async_done_fn done,
	                                     void *context, size_t *count, size_t *held_count);
	/* Number of requests created or processing. */
	enum store_result (*async_pending_count)(struct store *, int64_t *count_out);
	/* Deletes up to max_rows finished requests (succeeded or failed) created before before (epoch
	 * seconds); a batch's items only once every item of the batch has finished. *deleted: how many. */
	enum store_result (*async_prune)(struct store *, int64_t before, unsigned max_rows, long *deleted);
	/* Requests by kind and status: counts[kind][status] (index 0 of kind unused); one aggregate
	 * statement (store/shared/fleet_counts.c), for /metrics. */
	enum store_result (*async_count_groups)(struct store *, int64_t counts[ASYNC_KIND_COUNT][ASYNC_STATUS_COUNT]);
	/* Calls each once per group of cameras with the same state, online (a heartbeat at or after
	 * online_since) and, when by_organisation, organisation ("" for none; else always ""); one
	 * aggregate statement, for /metrics. */
	enum store_result (*camera_count_groups)(struct store *, int64_t online_since, bool by_organisation,
	                                         camera_count_fn each, void *context);
	/* Calls each once per group of the cameras scope admits (only its organisation_id,
	 * granted_user_id and state_mask apply, as in camera_list) with the same site, state and
	 * online (camera_is_online's rule, a heartbeat at or after scope->online_since), the groups
	 * of a site one after another, sites in id order and the cameras at no site last; one
	 * aggregate statement (store/shared/fleet_counts.c), for GET /fleet-summary. */
	enum store_result (*camera_site_count_groups)(struct store *, const struct camera_filter *scope,
	                                              camera_site_count_fn each, void *context);
};

/* Cross-node messages, for nodes sharing one database (PostgreSQL: LISTEN/NOTIFY). A back end
 * that serves a single node (SQLite) has nobody to tell: publish does nothing, subscribe
 * starts nothing. Delivery is best effort: a message sent while a node's listener is
 * reconnecting is lost to that node, so waits built on them must have deadlines. */
struct store_messages {
	/* Sends message (at most STORE_MESSAGE_MAX bytes, no NUL) to every other node. */
	enum store_result (*publish)(struct store *, const char *message);
	/* From now on calls deliver(context, message), on a thread of the back end, with every message
	 * another node publishes; 0, or -1 (logged) when the listener cannot start. Once per store;
	 * unsubscribe (or store_close()) stops it. */
	int (*subscribe)(struct store *, store_message_fn deliver, void *context);
	/* Stops delivering: when it returns, deliver is not running and will not run again. */
	void (*unsubscribe)(struct store *);
};

/* What callers may rely on, or should plan around, beside the operations. */
struct store_capabilities {
	/* Every read is a round trip to a server (PostgreSQL): the hottest reads are worth batching
	 * (api/camera_read_batch.c). False for an embedded database, where a read is a function call. */
	bool reads_are_remote;
	/* Several servers may use the database at once (PostgreSQL): what one changes, another's
	 * caches learn by a message, which can come late; a check that must hold at once asks the
	 * database. */
	bool shared_by_nodes;
};

struct camera_cache;

struct store {
	const struct store_ops *ops;
	const struct store_messages *messages;
	struct store_capabilities capabilities;
	/* The in-memory camera rows of a SQLite server (store/camera_cache.h); NULL elsewhere. */
	struct camera_cache *camera_cache;
	void (*close)(struct store *store);
};

/* Who opens the store. A server (`camfleet serve`) of a SQLite file is its only one: it locks
 * the file against a second server and keeps camera rows in memory (store/camera_cache.h),
 * which is right because no other process changes them (tools such as `camfleet admin` write
 * clients and users only). On PostgreSQL, servers share the database and keep no such cache. */
enum store_user { STORE_USER_TOOL, STORE_USER_SERVER };

/* Opens the store named by url ("sqlite:PATH", "postgres://..."; store_open.c), running
 * migrations; NULL with a logged reason on failure. connections bounds the back end's connection
 * pool. Free with store_close(). */
struct store *store_open(const char *url, unsigned connections, enum store_user user);

/* Whether the database named by url already holds camfleet's schema (a SQLite file that exists
 * with its tables; a PostgreSQL database with its tables), found without creating or changing
 * anything: STORE_OK with *exists set, or STORE_UNAVAILABLE (logged) when it cannot be read. */
enum store_result store_schema_exists(const char *url, bool *exists) __attribute__((warn_unused_result));

/* Copies url into out (size bytes) with any password replaced by ***, for logs. */
void store_url_redacted(const char *url, char *out, size_t size);

static inline void store_close(struct store *store)
{
	if (store != NULL)
		store->close(store);
}

#endif
