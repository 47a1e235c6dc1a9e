/* Store contract: the device link — device credentials (issued in allowed states only, rotated with a
 * stamp that never goes back, refused over a non-device client's id, revoked), batches of heartbeats
 * (outcomes for missing cameras, the shutdown flag, exact metrics, the last beat of a camera winning),
 * video uploads with their totals and hour buckets, pruned by age, and the latest frame (bytes exactly as given). */
#include "contract.h"
#include "domain/lifecycle.h"
#include "domain/upload_window.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int64_t NOW_MS = CONTRACT_TIME * 1000;

/* ---- credentials -------------------------------------------------------------------------------- */

static void assert_device_client(struct store *store, const char *camera_id, const char *organisation_id,
                                 const char *secret_hash, int64_t issued_ms)
{
	struct client client;
	memset(&client, 0x5a, sizeof(client));
	assert_store_result(store->ops->client_get(store, camera_id, &client), STORE_OK);
	char name[ENTITY_NAME_MAX + 1];
	snprintf(name, sizeof(name), "device credentials of camera %s", camera_id);
	assert_string_equal(client.id, camera_id);
	assert_string_equal(client.organisation_id, organisation_id);
	assert_string_equal(client.name, name);
	assert_int_equal(client.role, ROLE_DEVICE);
	assert_string_equal(client.secret_hash, secret_hash);
	assert_int_equal(client.created_at, issued_ms / 1000);
	assert_int_equal(client.secret_issued_ms, issued_ms);
	struct device_camera device;
	assert_store_result(store->ops->device_camera_get(store, camera_id, &device), STORE_OK);
	assert_true(device.has_credentials);
	assert_int_equal(device.secret_issued_ms, issued_ms);
}

static void test_device_camera_get(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct camera registered, claimed;
	contract_add_camera(store, &registered);
	contract_add_claimed_camera(store, &place.site, &claimed);
	struct device_camera device;
	memset(&device, 0x5a, sizeof(device));
	assert_store_result(store->ops->device_camera_get(store, registered.id, &device), STORE_OK);
	assert_int_equal(device.state, CAMERA_REGISTERED);
	assert_string_equal(device.organisation_id, "");
	assert_false(device.has_credentials);
	assert_int_equal(device.secret_issued_ms, 0);
	assert_store_result(store->ops->device_camera_get(store, claimed.id, &device), STORE_OK);
	assert_int_equal(device.state, CAMERA_RUNNING);
	assert_string_equal(device.organisation_id, place.organisation.id);
	char unknown[UUID_BUFFER_SIZE];
	contract_new_id(unknown);
	assert_store_result(store->ops->device_camera_get(store, unknown, &device), STORE_NOT_FOUND);
}

static void test_device_credentials_issue_and_rotate(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct camera camera, out;
	contract_add_camera(store, &camera);
	const unsigned allowed = CAMERA_STATE_BIT(CAMERA_REGISTERED) | CAMERA_STATE_BIT(CAMERA_RUNNING);
	int64_t issued = 0;
	assert_store_result(store->ops->device_credentials_put(store, camera.id, "hash-1", NOW_MS, allowed, &issued),
	                    STORE_OK);
	assert_int_equal(issued, NOW_MS);
	assert_device_client(store, camera.id, "", "hash-1", NOW_MS);
	/* a clock that went back still gives a later stamp */
	assert_store_result(
	    store->ops->device_credentials_put(store, camera.id, "hash-2", NOW_MS - 5000, allowed, &issued), STORE_OK);
	assert_int_equal(issued, NOW_MS + 1);
	assert_device_client(store, camera.id, "", "hash-2", NOW_MS + 1);
	assert_store_result(
	    store->ops->device_credentials_put(store, camera.id, "hash-3", NOW_MS + 1, allowed, &issued), STORE_OK);
	assert_int_equal(issued, NOW_MS + 2);
	/* once claimed, new credentials belong to the camera's organisation */
	struct camera_placement placement = contract_placement(&place.site, CONTRACT_TIME + 5);
	assert_store_result(store->ops->camera_claim(store, camera.serial_number, CAMERA_STATE_BIT(CAMERA_REGISTERED),
	                                             &placement, false, NULL, CONTRACT_ORIGIN, &out),
	                    STORE_OK);
	assert_store_result(
	    store->ops->device_credentials_put(store, camera.id, "hash-4", NOW_MS + 9000, allowed, &issued), STORE_OK);
	assert_int_equal(issued, NOW_MS + 9000);
	assert_device_client(store, camera.id, place.organisation.id, "hash-4", NOW_MS + 9000);
}

static void test_device_credentials_put_refusals(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct camera running, registered;
	contract_add_claimed_camera(store, &place.site, &running);
	contract_add_camera(store, &registered);
	int64_t issued = -1;
	assert_store_result(store->ops->device_credentials_put(store, running.id, "hash", NOW_MS,
	                                                       CAMERA_STATE_BIT(CAMERA_REGISTERED), &issued),
	                    STORE_CONFLICT);
	assert_int_equal(issued, -1);
	struct device_camera device;
	assert_store_result(store->ops->device_camera_get(store, running.id, &device), STORE_OK);
	assert_false(device.has_credentials);
	char unknown[UUID_BUFFER_SIZE];
	contract_new_id(unknown);
	assert_store_result(store->ops->device_credentials_put(store, unknown, "hash", NOW_MS, ~0u, &issued),
	                    STORE_NOT_FOUND);

	/* an API client that is not a device already has the camera's id */
	struct client impostor;
	contract_add_client(store, place.organisation.id, ROLE_ADMIN, &impostor);
	struct client holder = impostor;
	snprintf(holder.id, sizeof(holder.id), "%s", registered.id);
	assert_store_result(store->ops->client_insert(store, &holder), STORE_OK);
	assert_store_result(store->ops->device_credentials_put(store, registered.id, "hash", NOW_MS, ~0u, &issued),
	                    STORE_CONFLICT);
	assert_store_result(store->ops->device_credentials_delete(store, registered.id), STORE_NOT_FOUND);
	struct client read;
	assert_store_result(store->ops->client_get(store, registered.id, &read), STORE_OK);
	assert_int_equal(read.role, ROLE_ADMIN);
	assert_string_equal(read.secret_hash, holder.secret_hash);
	assert_store_result(store->ops->device_camera_get(store, registered.id, &device), STORE_OK);
	assert_false(device.has_credentials);
}

static void test_device_credentials_delete(void **state)
{
	struct store *store = contract_store(state);
	struct camera camera;
	contract_add_camera(store, &camera);
	int64_t issued = 0;
	assert_store_result(store->ops->device_credentials_put(store, camera.id, "hash", NOW_MS, ~0u, &issued),
	                    STORE_OK);
	assert_store_result(store->ops->device_credentials_delete(store, camera.id), STORE_OK);
	struct device_camera device;
	assert_store_result(store->ops->device_camera_get(store, camera.id, &device), STORE_OK);
	assert_false(device.has_credentials);
	assert_int_equal(device.secret_issued_ms, 0);
	struct client read;
	assert_store_result(store->ops->client_get(store, camera.id, &read), STORE_NOT_FOUND);
	assert_store_result(store->ops->device_credentials_delete(store, camera.id), STORE_NOT_FOUND);

	/* issued again after a revocation, with a clock that went back */
	assert_store_result(store->ops->device_credentials_put(store, camera.id, "hash-2", NOW_MS - 10, ~0u, &issued),
	                    STORE_OK);
	assert_true(issued > NOW_MS); /* later than the revoked credentials' stamp */
}

/* ---- heartbeats --------------------------------------------------------------------------------- */

static struct heartbeat beat_of(const struct camera *camera, int64_t at, bool shutting_down, double encoded,
                                double transmit, double backlog, double latency)
{
	struct heartbeat beat = {.at = at,
	                         .shutting_down = shutting_down,
	                         .encoded_frames_proportion = encoded,
	                         .network_transmit_rate = transmit,
	                         .video_backlog = backlog,
	                         .video_upload_latency = latency};
	snprintf(beat.camera_id, sizeof(beat.camera_id), "%s", camera->id);
	return beat;
}

/* The row after beat was written to camera. */
static struct camera beaten(const struct camera *camera, const struct heartbeat *beat)
{
	struct camera after = *camera;
	after.last_seen_at = beat->at;
	after.reported_offline = beat->shutting_down;
	after.encoded_frames_proportion = beat->encoded_frames_proportion;
	after.network_transmit_rate = beat->network_transmit_rate;
	after.video_backlog = beat->video_backlog;
	after.video_upload_latency = beat->video_upload_latency;
	if (beat->reported_state != CAMERA_REPORTED_UNKNOWN)
		after.reported_state = beat->reported_state;
	return after;
}

static void test_heartbeats_write_a_batch(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct camera running, paused, registered, missing, out;
	contract_add_claimed_camera(store, &place.site, &running);
	contract_add_claimed_camera(store, &place.site, &out);
	assert_store_result(store->ops->camera_set_state(store, out.id, CAMERA_RUNNING, CAMERA_PAUSED,
	                                                 CONTRACT_TIME + 20, CONTRACT_ORIGIN, &paused),
	                    STORE_OK);
	contract_add_camera(store, &registered);
	contract_new_id(missing.id);
	contract_prime_camera(store, running.id);
	contract_prime_camera(store, paused.id);
	contract_prime_camera(store, registered.id);
	struct heartbeat beats[] = {
	    beat_of(&running, CONTRACT_TIME + 100, true, 0.1, 1e-9, 0, 123456789.123),
	    beat_of(&missing, CONTRACT_TIME + 100, false, 1, 1, 1, 1),
	    beat_of(&paused, CONTRACT_TIME + 101, true, 1.0 / 3.0, DBL_MAX, 5e-324, 0.25),
	    beat_of(&registered, CONTRACT_TIME + 102, false, 0.75, 1048576.5, 3, 0.5),
	    beat_of(&running, CONTRACT_TIME + 103, false, 0.9999999999999999, 2.5e6, 12.75, 0.001), /* wins */
	};
	struct heartbeat_outcome outcomes[5];
	memset(outcomes, 0x5a, sizeof(outcomes));
	assert_store_result(store->ops->camera_heartbeats_write(store, beats, 5, outcomes), STORE_OK);
	const bool found[] = {true, false, true, true, true};
	const enum camera_state states[] = {CAMERA_RUNNING, CAMERA_REGISTERED, CAMERA_PAUSED, CAMERA_REGISTERED,
	                                    CAMERA_RUNNING};
	for (int i = 0; i < 5; i++) {
		assert_int_equal(outcomes[i].found, found[i]);
		if (found[i])
			assert_int_equal(outcomes[i].state, states[i]);
	}
	struct camera expected = beaten(&running, &beats[4]);
	assert_stored_camera(store, &expected);
	expected = beaten(&paused, &beats[2]);
	assert_stored_camera(store, &expected);
	struct camera registered_after = beaten(&registered, &beats[3]);
	assert_stored_camera(store, &registered_after);
	struct camera read;
	assert_store_result(store->ops->camera_get(store, missing.id, &read), STORE_NOT_FOUND);

	/* a later heartbeat clears the shutdown flag */
	struct heartbeat again = beat_of(&paused, CONTRACT_TIME + 110, false, 0, 0, 0, 0);
	assert_store_result(store->ops->camera_heartbeats_write(store, &again, 1, outcomes), STORE_OK);
	assert_true(outcomes[0].found);
	expected = beaten(&paused, &again);
	assert_stored_camera(store, &expected);
	assert_store_result(store->ops->camera_heartbeats_write(store, beats, 0, outcomes), STORE_OK);
}

static void test_heartbeats_keep_the_state_the_camera_reported_until_a_claim(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct camera camera, paused, decommissioned, claimed;
	contract_add_claimed_camera(store, &place.site, &camera);
	assert_int_equal(camera.reported_state, CAMERA_REPORTED_UNKNOWN);
	contract_prime_camera(store, camera.id);
	/* the server pauses the camera; the camera still says it runs, then (same batch) that it paused */
	assert_store_result(store->ops->camera_set_state(store, camera.id, CAMERA_RUNNING, CAMERA_PAUSED,
	                                                 CONTRACT_TIME + 20, CONTRACT_ORIGIN, &paused),
	                    STORE_OK);
	contract_prime_camera(store, camera.id);
	struct heartbeat beats[] = {beat_of(&camera, CONTRACT_TIME + 30, false, 1, 1, 0, 0),
	                            beat_of(&camera, CONTRACT_TIME + 31, false, 0, 1, 0, 0)};
	beats[0].reported_state = CAMERA_REPORTED_RUNNING;
	beats[1].reported_state = CAMERA_REPORTED_PAUSED;
	struct heartbeat_outcome outcomes[2];
	assert_store_result(store->ops->camera_heartbeats_write(store, &beats[0], 1, outcomes), STORE_OK);
	struct camera expected = beaten(&paused, &beats[0]);
	assert_int_equal(expected.reported_state, CAMERA_REPORTED_RUNNING);
	assert_stored_camera(store, &expected);
	assert_store_result(store->ops->camera_heartbeats_write(store, beats, 2, outcomes), STORE_OK);
	expected = beaten(&paused, &beats[1]);
	assert_stored_camera(store, &expected);
	/* a heartbeat that does not say keeps what was said */
	struct heartbeat silent = beat_of(&camera, CONTRACT_TIME + 40, false, 0, 0, 0, 0);
	assert_store_result(store->ops->camera_heartbeats_write(store, &silent, 1, outcomes), STORE_OK);
	expected = beaten(&expected, &silent);
	assert_int_equal(expected.reported_state, CAMERA_REPORTED_PAUSED);
	assert_stored_camera(store, &expected);
	/* a new claim is a fresh installation: nothing reported yet */
	assert_store_result(store->ops->camera_set_state(store, camera.id, CAMERA_PAUSED, CAMERA_DECOMMISSIONED,
	                                                 CONTRACT_TIME + 50, CONTRACT_ORIGIN, &decommissioned),
	                    STORE_OK);
	assert_int_equal(decommissioned.reported_state, CAMERA_REPORTED_PAUSED);
	struct camera_placement placement = contract_placement(&place.site, CONTRACT_TIME + 60);
	assert_store_result(store->ops->camera_claim(store, camera.serial_number,
	                                             lifecycle_allowed_from(CAMERA_ACTION_CLAIM), &placement, false,
	                                             NULL, CONTRACT_ORIGIN, &claimed),
	                    STORE_OK);
	assert_int_equal(claimed.reported_state, CAMERA_REPORTED_UNKNOWN);
	assert_stored_camera(store, &claimed);
}

static void test_heartbeat_of_a_decommissioned_camera_reports_its_state(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct camera camera, decommissioned;
	contract_add_claimed_camera(store, &place.site, &camera);
	assert_store_result(store->ops->camera_set_state(store, camera.id, CAMERA_RUNNING, CAMERA_DECOMMISSIONED,
	                                                 CONTRACT_TIME + 20, CONTRACT_ORIGIN, &decommissioned),
	                    STORE_OK);
	contract_prime_camera(store, camera.id);
	struct heartbeat beat = beat_of(&camera, CONTRACT_TIME + 30, true, 0.5, 2, 3, 4);
	struct heartbeat_outcome outcome;
	assert_store_result(store->ops->camera_heartbeats_write(store, &beat, 1, &outcome), STORE_OK);
	assert_true(outcome.found);
	assert_int_equal(outcome.state, CAMERA_DECOMMISSIONED);
	struct camera expected = beaten(&decommissioned, &beat);
	assert_stored_camera(store, &expected);
}

/* Numbers the API never sends (it refuses metrics that are not finite) but the store is given as is. */
static void test_heartbeat_metrics_that_are_not_finite(void **state)
{
	struct store *store = contract_store(state);
	struct camera camera;
	contract_add_camera(store, &camera);
	contract_prime_camera(store, camera.id);
	struct heartbeat beat = beat_of(&camera, CONTRACT_TIME + 1, false, 0.5, INFINITY, -INFINITY, 0);
	struct heartbeat_outcome outcome;
	assert_store_result(store->ops->camera_heartbeats_write(store, &beat, 1, &outcome), STORE_OK);
	struct camera expected = beaten(&camera, &beat);
	assert_stored_camera(store, &expected);

	/* No back end stores NaN (SQLite cannot): the batch is refused and nothing of it written. */
	struct heartbeat batch[2] = {beat_of(&camera, CONTRACT_TIME + 2, false, 0.25, 1, 1, 1),
	                             beat_of(&camera, CONTRACT_TIME + 3, false, NAN, 1, 1, 1)};
	struct heartbeat_outcome outcomes[2];
	assert_store_result(store->ops->camera_heartbeats_write(store, batch, 2, outcomes), STORE_CONFLICT);
	assert_stored_camera(store, &expected);
	assert_store_result(store->ops->video_upload_insert(store, camera.id, 0, CONTRACT_TIME + 4, 10, NAN),
	                    STORE_CONFLICT);
	assert_stored_camera(store, &expected);
}

/* ---- uploads and frames ------------------------------------------------------------------------- */

static void assert_totals(struct store *store, const char *camera_id, int64_t from, int64_t to, int64_t bytes,
                          double seconds)
{
	struct upload_totals totals = {.bytes = -1, .seconds = -1};
	assert_store_result(store->ops->upload_totals(store, camera_id, from, to, &totals), STORE_OK);
	assert_int_equal(totals.bytes, bytes);
	assert_true(totals.seconds == seconds);
}

static void test_video_uploads_raise_last_video_at_and_add_up(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct camera camera;
	contract_add_claimed_camera(store, &place.site, &camera);
	contract_prime_camera(store, camera.id);
	const int64_t t = CONTRACT_TIME;
	assert_store_result(store->ops->video_upload_insert(store, camera.id, 0, t + 100, 1000, 2.5), STORE_OK);
	struct camera expected = camera;
	expected.last_video_at = t + 100;
	assert_stored_camera(store, &expected);
	assert_store_result(store->ops->video_upload_insert(store, camera.id, 0, t + 200, 5000000000, 1.25), STORE_OK);
	assert_store_result(store->ops->video_upload_insert(store, camera.id, 0, t + 150, 250, 0.25), STORE_OK);
	expected.last_video_at = t + 200; /* an earlier report does not lower it */
	assert_stored_camera(store, &expected);

	assert_totals(store, camera.id, t + 100, t + 200, 1250, 2.75); /* from inclusive, to exclusive */
	assert_totals(store, camera.id, t + 100, t + 201, 5000001250, 4.0);
	assert_totals(store, camera.id, 0, t + 100, 0, 0);
	assert_totals(store, camera.id, t + 200, t + 200, 0, 0);
	char unknown[UUID_BUFFER_SIZE];
	contract_new_id(unknown);
	assert_totals(store, unknown, 0, t * 2, 0, 0);
	assert_store_result(store->ops->video_upload_insert(store, unknown, 0, t, 1, 1), STORE_NOT_FOUND);
}

static void assert_hour_totals(struct store *store, const char *camera_id, int64_t from, int64_t to, int64_t bytes,
                               double seconds)
{
	struct upload_totals totals = {.bytes = -1, .seconds = -1};
	assert_store_result(store->ops->upload_hour_totals(store, camera_id, from, to, &totals), STORE_OK);
	assert_int_equal(totals.bytes, bytes);
	assert_true(totals.seconds == seconds);
}

/* Reports add to the bucket of their UTC hour from the claim on (the camera is claimed at
 * CONTRACT_TIME + 10; CONTRACT_TIME + 400 starts an hour); pruning goes by age, in batches. */
static void test_video_uploads_fill_hour_buckets_and_are_pruned_by_age(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct camera camera;
	contract_add_claimed_camera(store, &place.site, &camera);
	const int64_t t = CONTRACT_TIME, hour = upload_hour_start(t);
	assert_int_equal(hour + 3600, t + 400);
	assert_store_result(store->ops->video_upload_insert(store, camera.id, 0, t + 5, 1, 0.5), STORE_OK); /* before */
	assert_store_result(store->ops->video_upload_insert(store, camera.id, 0, t + 100, 1000, 2.5), STORE_OK);
	assert_store_result(store->ops->video_upload_insert(store, camera.id, 0, t + 399, 20, 0.25), STORE_OK);
	assert_store_result(store->ops->video_upload_insert(store, camera.id, 0, t + 400, 300, 1), STORE_OK);
	assert_hour_totals(store, camera.id, hour, hour + 3600, 1020, 2.75);
	assert_hour_totals(store, camera.id, hour, hour + 7200, 1320, 3.75);
	assert_hour_totals(store, camera.id, hour + 3600, hour + 3601, 300, 1);
	assert_hour_totals(store, camera.id, 0, hour, 0, 0);
	assert_totals(store, camera.id, 0, t * 2, 1321, 4.25); /* raw reports keep the one before the claim */

	long deleted = -1;
	assert_store_result(store->ops->upload_report_prune(store, t + 101, 1, &deleted), STORE_OK);
	assert_int_equal(deleted, 1); /* a batch of one */
	do
		assert_store_result(store->ops->upload_report_prune(store, t + 101, 1000, &deleted), STORE_OK);
	while (deleted == 1000);
	assert_totals(store, camera.id, 0, t * 2, 320, 1.25);
	assert_hour_totals(store, camera.id, hour, hour + 7200, 1320, 3.75); /* buckets stay */
	do
		assert_store_result(store->ops->upload_hour_prune(store, hour + 3600, 1000, &deleted), STORE_OK);
	while (deleted == 1000);
	assert_hour_totals(store, camera.id, 0, t * 2, 300, 1);
	assert_totals(store, camera.id, 0, t * 2, 320, 1.25);
}

static void assert_frame(struct store *store, const char *camera_id, const unsigned char *jpeg, size_t length,
                         int64_t taken_at)
{
	unsigned char *read = NULL;
	size_t read_length = 0;
	int64_t read_taken_at = 0;
	assert_store_result(store->ops->frame_latest(store, camera_id, &read, &read_length, &read_taken_at), STORE_OK);
	assert_non_null(read);
	assert_int_equal(read_length, length);
	assert_memory_equal(read, jpeg, length);
	assert_int_equal(read_taken_at, taken_at);
	free(read);
}

static void test_frame_put_and_latest(void **state)
{
	struct store *store = contract_store(state);
	struct camera camera;
	contract_add_camera(store, &camera);
	unsigned char *read = NULL;
	size_t length = 0;
	int64_t taken_at = 0;
	assert_store_result(store->ops->frame_latest(store, camera.id, &read, &length, &taken_at), STORE_NOT_FOUND);
	unsigned char every_byte[512];
	for (size_t i = 0; i < sizeof(every_byte); i++)
		every_byte[i] = (unsigned char)(i * 7 + 3); /* NUL, '\\', quotes and high bytes among them */
	assert_store_result(
	    store->ops->frame_put(store, camera.id, 0, every_byte, sizeof(every_byte), CONTRACT_TIME + 1), STORE_OK);
	assert_frame(store, camera.id, every_byte, sizeof(every_byte), CONTRACT_TIME + 1);
	const unsigned char smaller[] = {0xff, 0xd8, 0xff, 0xd9};
	assert_store_result(store->ops->frame_put(store, camera.id, 0, smaller, sizeof(smaller), CONTRACT_TIME + 2),
	                    STORE_OK);
	assert_frame(store, camera.id, smaller, sizeof(smaller), CONTRACT_TIME + 2);
	char unknown[UUID_BUFFER_SIZE];
	contract_new_id(unknown);
	assert_store_result(store->ops->frame_put(store, unknown, 0, smaller, sizeof(smaller), CONTRACT_TIME),
	                    STORE_NOT_FOUND);
	assert_store_result(store->ops->frame_latest(store, unknown, &read, &length, &taken_at), STORE_NOT_FOUND);
}

/* Device writes carry the token's credential stamp: once the credentials are rotated or revoked,
 * a heartbeat, an upload report or a frame made with the old stamp writes nothing (so revocation
 * holds on every node at once, whatever a node has cached). */
static void test_device_writes_are_bound_to_the_current_credentials(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct camera camera;
	contract_add_claimed_camera(store, &place.site, &camera);
	contract_prime_camera(store, camera.id);
	int64_t first = 0, second = 0;
	assert_store_result(store->ops->device_credentials_put(store, camera.id, "hash-1", NOW_MS, ~0u, &first),
	                    STORE_OK);
	struct heartbeat current = beat_of(&camera, CONTRACT_TIME + 10, false, 0.5, 1, 2, 3);
	current.credential_issued_ms = first;
	struct heartbeat_outcome outcome;
	assert_store_result(store->ops->camera_heartbeats_write(store, &current, 1, &outcome), STORE_OK);
	assert_true(outcome.found);
	struct camera expected = beaten(&camera, &current);
	assert_stored_camera(store, &expected);

	assert_store_result(store->ops->device_credentials_put(store, camera.id, "hash-2", NOW_MS + 5, ~0u, &second),
	                    STORE_OK);
	struct heartbeat stale = beat_of(&camera, CONTRACT_TIME + 20, true, 0.25, 4, 5, 6);
	stale.credential_issued_ms = first;
	assert_store_result(store->ops->camera_heartbeats_write(store, &stale, 1, &outcome), STORE_OK);
	assert_false(outcome.found);
	assert_stored_camera(store, &expected); /* nothing of it written */
	/* in one batch with a beat of the current credentials: only that one is written */
	struct heartbeat fresh = beat_of(&camera, CONTRACT_TIME + 21, false, 0.75, 7, 8, 9);
	fresh.credential_issued_ms = second;
	struct heartbeat mixed[] = {stale, fresh};
	struct heartbeat_outcome outcomes[2];
	assert_store_result(store->ops->camera_heartbeats_write(store, mixed, 2, outcomes), STORE_OK);
	assert_false(outcomes[0].found);
	assert_true(outcomes[1].found);
	expected = beaten(&camera, &fresh);
	assert_stored_camera(store, &expected);
	assert_store_result(store->ops->video_upload_insert(store, camera.id, first, CONTRACT_TIME + 22, 10, 1),
	                    STORE_NOT_FOUND);
	const unsigned char jpeg[] = {0xff, 0xd8, 0xff, 0xd9};
	assert_store_result(store->ops->frame_put(store, camera.id, first, jpeg, sizeof(jpeg), CONTRACT_TIME + 22),
	                    STORE_NOT_FOUND);
	unsigned char *read = NULL;
	size_t length = 0;
	int64_t taken_at = 0;
	assert_store_result(store->ops->frame_latest(store, camera.id, &read, &length, &taken_at), STORE_NOT_FOUND);
	assert_store_result(store->ops->video_upload_insert(store, camera.id, second, CONTRACT_TIME + 23, 10, 1),
	                    STORE_OK);
	assert_store_result(store->ops->frame_put(store, camera.id, second, jpeg, sizeof(jpeg), CONTRACT_TIME + 23),
	                    STORE_OK);
	assert_frame(store, camera.id, jpeg, sizeof(jpeg), CONTRACT_TIME + 23);

	assert_store_result(store->ops->device_credentials_delete(store, camera.id), STORE_OK);
	fresh.at = CONTRACT_TIME + 30;
	assert_store_result(store->ops->camera_heartbeats_write(store, &fresh, 1, &outcome), STORE_OK);
	assert_false(outcome.found);
	assert_store_result(store->ops->video_upload_insert(store, camera.id, second, CONTRACT_TIME + 31, 10, 1),
	                    STORE_NOT_FOUND);
	assert_store_result(store->ops->frame_put(store, camera.id, second, jpeg, sizeof(jpeg), CONTRACT_TIME + 31),
	                    STORE_NOT_FOUND);
}

static void test_frame_of_zero_bytes(void **state)
{
	struct store *store = contract_store(state);
	struct camera camera;
	contract_add_camera(store, &camera);
	const unsigned char nothing[1] = {0};
	assert_store_result(store->ops->frame_put(store, camera.id, 0, nothing, 0, CONTRACT_TIME + 3), STORE_OK);
	unsigned char *read = NULL;
	size_t length = 99;
	int64_t taken_at = 0;
	enum store_result result = store->ops->frame_latest(store, camera.id, &read, &length, &taken_at);
	assert_store_result(result, STORE_OK);
	assert_non_null(read);
	assert_int_equal(length, 0);
	assert_int_equal(taken_at, CONTRACT_TIME + 3);
	free(read);
}

struct contract_tests contract_device_tests(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_device_camera_get),
	    cmocka_unit_test(test_device_credentials_issue_and_rotate),
	    cmocka_unit_test(test_device_credentials_put_refusals),
	    cmocka_unit_test(test_device_credentials_delete),
	    cmocka_unit_test(test_heartbeats_write_a_batch),
	    cmocka_unit_test(test_heartbeats_keep_the_state_the_camera_reported_until_a_claim),
	    cmocka_unit_test(test_heartbeat_of_a_decommissioned_camera_reports_its_state),
	    cmocka_unit_test(test_heartbeat_metrics_that_are_not_finite),
	    cmocka_unit_test(test_video_uploads_raise_last_video_at_and_add_up),
	    cmocka_unit_test(test_video_uploads_fill_hour_buckets_and_are_pruned_by_age),
	    cmocka_unit_test(test_frame_put_and_latest),
	    cmocka_unit_test(test_frame_of_zero_bytes),
	    cmocka_unit_test(test_device_writes_are_bound_to_the_current_credentials),
	};
	return CONTRACT_TESTS(tests);
}
