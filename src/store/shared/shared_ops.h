/* The data operations written once for both SQL dialects (the files of store/shared/, on the runner of
 * store/sql/sql.h), and what those files share with each other and with the dialect files.
 * Each back end's ops table (sqlite/sqlite_store.c, postgres/pg_store.c) takes them all with
 * SHARED_STORE_OPS and adds the few operations whose dialects really differ. */
#ifndef CAMFLEET_STORE_SHARED_OPS_H
#define CAMFLEET_STORE_SHARED_OPS_H

#include "store/sql/sql.h"
#include <math.h>

#include "domain/camera.h"

/* Every shared operation: X(name) for store_ops.name, implemented as shared_<name>. */
// clang-format off
#define SHARED_STORE_OPERATIONS(X) \
	X(signing_key_list) X(signing_key_current) X(signing_key_insert) X(signing_key_rotate) \
	X(token_revocation_list) X(token_revocation_get) X(token_revocation_prune) \
	X(refresh_token_insert) X(refresh_token_get) X(refresh_token_rotate) X(refresh_token_revoke_chain) \
	X(refresh_token_prune) \
	X(organisation_insert) X(organisation_get) X(organisation_list) X(organisation_update) X(organisation_delete) \
	X(site_insert) X(site_get) X(site_list) X(site_update) X(site_delete) \
	X(site_hours_get) X(site_hours_put) X(site_exception_get) X(site_exception_put) X(site_exception_delete) \
	X(site_exception_list) \
	X(user_insert) X(user_get) X(user_get_by_email) X(user_list) X(user_update) X(user_delete) \
	X(user_sites_set) X(user_sites_list) X(user_site_granted) \
	X(client_insert) X(client_get) X(client_list) X(client_delete) \
	X(secret_hash_key_list) X(secret_hash_key_insert) X(client_secret_rehash) \
	X(camera_register) X(camera_get) X(camera_get_by_serial) X(camera_list) X(camera_claim) \
	X(camera_set_state) X(camera_move) X(camera_patch) X(upload_totals) X(frame_latest) \
	X(device_camera_get) X(device_credentials_put) X(device_credentials_delete) X(video_upload_insert) \
	X(frame_put) X(upload_hour_totals) X(upload_report_prune) X(upload_hour_prune) \
	X(event_list) X(event_prune) X(alert_claim_due) X(alert_apply) \
	X(webhook_insert) X(webhook_get) X(webhook_list) X(webhook_update) X(webhook_rotate_secret) X(webhook_delete) \
	X(webhook_test) X(delivery_list) X(delivery_get) X(delivery_retry) X(delivery_round) \
	X(async_insert) X(async_get) X(async_claim_next) X(async_finish) X(async_pending_count) X(async_prune) \
	X(async_insert_many) X(async_batch_list) X(async_carry_out) X(camera_register_many) \
	X(camera_count_groups) X(camera_site_count_groups) X(async_count_groups) \
	X(camera_position_list)
// clang-format on

#define SHARED_DECLARE(name) __typeof__(*((struct store_ops *)0)->name) shared_##name;
SHARED_STORE_OPERATIONS(SHARED_DECLARE)
#define SHARED_ASSIGN(name) .name = shared_##name,
/* Designated initialisers of every shared operation, for a back end's ops table. */
#define SHARED_STORE_OPS SHARED_STORE_OPERATIONS(SHARED_ASSIGN)

/* The columns of a camera row, in the order both back ends' readers expect. */
#define STORE_CAMERA_COLUMNS                                                                                           \
	"id, serial_number, state, organisation_id, site_id, camera_position_id, claimed_at, name,"                    \
	" direction1_alias, direction2_alias, last_seen_at, last_video_at, reported_offline,"                          \
	" encoded_frames_proportion, network_transmit_rate, video_backlog, video_upload_latency, reported_state"
/* How many columns STORE_CAMERA_COLUMNS has: a select that adds its own after them reads from here. */
#define STORE_CAMERA_COLUMN_COUNT 18

/* CAMERA_STATE_BIT(state) computed in SQL from the stored state name. */
#define STORE_SQL_STATE_BIT                                                                                            \
	"(1 << CASE state WHEN 'registered' THEN 0 WHEN 'running' THEN 1 WHEN 'paused' THEN 2"                         \
	" WHEN 'decommissioned' THEN 3 END)"
_Static_assert(CAMERA_REGISTERED == 0 && CAMERA_RUNNING == 1 && CAMERA_PAUSED == 2 && CAMERA_DECOMMISSIONED == 3,
               "STORE_SQL_STATE_BIT must follow enum camera_state");

/* The alert_at_ms a heartbeat at `at` (epoch seconds) sets (store.h struct heartbeat): its
 * alert_due_ms with no alert open, now with one (camera.online), NULL for a camera not running. */
#define STORE_SQL_HEARTBEAT_ALERT_AT(at, alert_due_ms)                                                                 \
	" alert_at_ms = CASE WHEN state <> 'running' THEN NULL WHEN alert_state = 0 THEN " alert_due_ms " ELSE " at    \
	" * 1000 END"

/* The condition that binds a device's write to its token's credential stamp (an SQL bigint
 * expression): the camera's device credentials still carry it; a stamp of 0 binds nothing. */
#define STORE_SQL_CREDENTIAL_CURRENT(camera_id, stamp)                                                                 \
	" (" stamp " = 0 OR EXISTS (SELECT 1 FROM clients k WHERE k.id = " camera_id " AND k.role = 'device'"          \
	" AND k.secret_issued_ms = " stamp "))"

/* Whether every beat's metrics can be stored alike on both dialects: SQLite keeps a NaN REAL as
 * NULL, so no back end stores NaN (the batch is refused: STORE_CONFLICT). */
static inline bool shared_heartbeats_storable(const struct heartbeat *beats, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (isnan(beats[i].encoded_frames_proportion) || isnan(beats[i].network_transmit_rate) ||
		    isnan(beats[i].video_backlog) || isnan(beats[i].video_upload_latency))
			return false;
	return true;
}

/* The columns of an asynchronous request row, in the order shared_read_async_request expects. */
#define STORE_ASYNC_COLUMNS                                                                                            \
	"id, kind, status, message, camera_id, serial_number, new_state, organisation_id, created_at, updated_at,"     \
	" requester_kind, requester_id, batch_id, batch_index"
/* A request row of STORE_ASYNC_COLUMNS, read into out (a struct async_request). */
void shared_read_async_request(const struct sql_row *row, void *out);

/* Inside a transaction: registers the pair unless a camera has its id or serial number (with its
 * event when new); *result says which, and other (size bytes) names the conflicting serial number
 * or camera id (struct camera_registration). Never fails the transaction over a conflict. */
enum store_result shared_camera_register_in(struct sql_connection *connection, const char *id,
                                            const char *serial_number, int64_t at, const struct change_origin *origin,
                                            enum registration_result *result, char *other, size_t size)
    __attribute__((warn_unused_result));

/* Inside a transaction, the camera row held: the state change of camera_set_state with its event. */
enum store_result shared_camera_set_state_in(struct sql_connection *connection, const char *id,
                                             enum camera_state expected_state, enum camera_state new_state, int64_t at,
                                             const struct change_origin *origin, struct camera *out)
    __attribute__((warn_unused_result));
/* Inside a transaction: reads the camera row and holds it for the transaction (PostgreSQL: locked). */
enum store_result shared_camera_lock(struct sql_connection *connection, const char *id, struct camera *out)
    __attribute__((warn_unused_result));
/* shared_camera_lock without waiting: when another transaction holds the row (PostgreSQL), *held
 * is set and STORE_NOT_FOUND returned at once, nothing read. */
enum store_result shared_camera_lock_unless_held(struct sql_connection *connection, const char *id, struct camera *out,
                                                 bool *held) __attribute__((warn_unused_result));

/* A camera row of STORE_CAMERA_COLUMNS, read into out (a struct camera). */
void shared_read_camera(const struct sql_row *row, void *out);

/* Inside a transaction: records an event of the change (store.h "Events"); ids "" are NULL. */
enum store_result shared_event_write(struct sql_connection *connection, enum event_type type,
                                     const char *organisation_id, const char *site_id, const char *camera_id,
                                     const struct change_origin *origin, const char *data_json)
    __attribute__((warn_unused_result));
/* shared_event_write that hands back the new event's id. */
enum store_result shared_event_write_with_id(struct sql_connection *connection, enum event_type type,
                                             const char *organisation_id, const char *site_id, const char *camera_id,
                                             const struct change_origin *origin, const char *data_json,
                                             char id[UUID_BUFFER_SIZE]) __attribute__((warn_unused_result));
/* Inside a transaction: a pending delivery of event event_id (of type) to webhook_id, due at
 * at_ms, read back into out (may be NULL). */
enum store_result shared_delivery_insert(struct sql_connection *connection, const char *webhook_id,
                                         const char *event_id, enum event_type type, int64_t at_ms,
                                         struct webhook_delivery *out) __attribute__((warn_unused_result));
/* A new random (version 4) UUID as text, computed by SQLite, which has no function for it. */
#define SHARED_SQLITE_NEW_UUID                                                                                         \
	"lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-'"        \
	" || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || "                   \
	"hex(randomblob(6)))"

/* The same for a camera event: its data (event_camera_data) and ids from the camera after it. */
enum store_result shared_camera_event(struct sql_connection *connection, enum event_type type,
                                      const struct camera *before, const struct camera *after,
                                      const struct change_origin *origin) __attribute__((warn_unused_result));

/* Inside a transaction: deletes every refresh token of the user (its tokens are being ended). */
enum store_result shared_refresh_tokens_end_for_user(struct sql_connection *connection, const char *user_id)
    __attribute__((warn_unused_result));

/* Inside a transaction: raises subject's token revocation stamp to valid_from_ms (store.h). */
enum store_result shared_token_revocation_write(struct sql_connection *connection, const char *subject_id,
                                                int64_t valid_from_ms) __attribute__((warn_unused_result));

/* Inside a transaction of camera_set_state (decommissioning): revokes the camera's device
 * credentials and drops its latest frame. */
enum store_result shared_device_forget_camera(struct sql_connection *connection, const char *camera_id)
    __attribute__((warn_unused_result));

/* Inside a claim's transaction: forgets what the camera's previous installations left behind —
 * the latest frame, the video-upload reports and their hour buckets — so that a new owner starts
 * with a clean record and never sees a previous owner's data. (Device credentials stay: a previous owner's were
 * revoked when it decommissioned the camera; factory credentials of a registered camera are
 * meant to survive its first claim.) */
enum store_result shared_device_forget_history(struct sql_connection *connection, const char *camera_id)
    __attribute__((warn_unused_result));

#endif
