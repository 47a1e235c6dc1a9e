/* Store contract: the camera lifecycle writes — claim (a fresh installation: what a previous one left
 * is forgotten), set_state (decommissioning revokes device credentials and drops the frame), move
 * and patch — each against its expected state, with the row handed back and every later read (on a
 * SQLite server, also its camera cache) showing exactly the new values. */
#include "contract.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned CLAIMABLE = CAMERA_STATE_BIT(CAMERA_REGISTERED) | CAMERA_STATE_BIT(CAMERA_DECOMMISSIONED);

/* The row a claim or move at placement leaves, from the row before. */
static struct camera placed(const struct camera *before, const struct camera_placement *placement)
{
	struct camera after = *before;
	snprintf(after.organisation_id, sizeof(after.organisation_id), "%s", placement->organisation_id);
	snprintf(after.site_id, sizeof(after.site_id), "%s", placement->site_id);
	snprintf(after.camera_position_id, sizeof(after.camera_position_id), "%s", placement->camera_position_id);
	return after;
}

/* The row of a fresh claim of registered (or decommissioned) camera before, named or not. */
static struct camera claimed(const struct camera *before, const struct camera_placement *placement, const char *name)
{
	struct camera after = contract_registered_camera(before->id, before->serial_number);
	after = placed(&after, placement);
	after.state = CAMERA_RUNNING;
	after.claimed_at = placement->at;
	after.has_name = name != NULL;
	snprintf(after.name, sizeof(after.name), "%s", name != NULL ? name : "");
	return after;
}

static void test_camera_claim_places_a_registered_camera(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct camera camera, out;
	contract_add_camera(store, &camera);
	contract_prime_camera(store, camera.id);
	struct camera_placement placement = contract_placement(&place.site, CONTRACT_TIME + 10);
	const char *name = "Entrance \xe2\x9c\x93 'north'";
	assert_store_result(store->ops->camera_claim(store, camera.serial_number, CLAIMABLE, &placement, true, name,
	                                             CONTRACT_ORIGIN, &out),
	                    STORE_OK);
	struct camera expected = claimed(&camera, &placement, name);
	assert_camera_equal(&expected, &out);
	assert_stored_camera(store, &expected);
	struct device_camera device;
	assert_store_result(store->ops->device_camera_get(store, camera.id, &device), STORE_OK);
	assert_int_equal(device.state, CAMERA_RUNNING);
	assert_string_equal(device.organisation_id, place.organisation.id);
}

static void test_camera_claim_without_a_name_or_with_an_empty_one(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct camera nameless, empty, null_name, out;
	contract_add_camera(store, &nameless);
	contract_add_camera(store, &empty);
	contract_add_camera(store, &null_name);
	struct camera_placement placement = contract_placement(&place.site, CONTRACT_TIME + 10);
	assert_store_result(store->ops->camera_claim(store, nameless.serial_number, CLAIMABLE, &placement, false,
	                                             "ignored", CONTRACT_ORIGIN, &out),
	                    STORE_OK);
	struct camera expected = claimed(&nameless, &placement, NULL);
	assert_stored_camera(store, &expected);
	placement = contract_placement(&place.site, CONTRACT_TIME + 11);
	assert_store_result(store->ops->camera_claim(store, empty.serial_number, CLAIMABLE, &placement, true, "",
	                                             CONTRACT_ORIGIN, &out),
	                    STORE_OK);
	expected = claimed(&empty, &placement, ""); /* "" stays "", not null */
	assert_stored_camera(store, &expected);
	placement = contract_placement(&place.site, CONTRACT_TIME + 12);
	assert_store_result(store->ops->camera_claim(store, null_name.serial_number, CLAIMABLE, &placement, true, NULL,
	                                             CONTRACT_ORIGIN, &out),
	                    STORE_OK);
	expected = claimed(&null_name, &placement, NULL);
	assert_stored_camera(store, &expected);
}

static void test_camera_claim_of_an_unclaimable_camera_is_conflict(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct camera running, registered, out;
	contract_add_claimed_camera(store, &place.site, &running);
	contract_add_camera(store, &registered);
	contract_prime_camera(store, running.id);
	contract_prime_camera(store, registered.id);
	struct camera_placement placement = contract_placement(&place.site, CONTRACT_TIME + 99);
	assert_store_result(store->ops->camera_claim(store, running.serial_number, CLAIMABLE, &placement, true, "x",
	                                             CONTRACT_ORIGIN, &out),
	                    STORE_CONFLICT);
	assert_store_result(store->ops->camera_claim(store, registered.serial_number,
	                                             CAMERA_STATE_BIT(CAMERA_DECOMMISSIONED), &placement, true, "x",
	                                             CONTRACT_ORIGIN, &out),
	                    STORE_CONFLICT);
	assert_store_result(
	    store->ops->camera_claim(store, "SN-nobody", CLAIMABLE, &placement, true, "x", CONTRACT_ORIGIN, &out),
	    STORE_NOT_FOUND);
	/* a site that does not exist: the foreign key refuses it */
	struct site nowhere = place.site;
	contract_new_id(nowhere.id);
	placement = contract_placement(&nowhere, CONTRACT_TIME + 99);
	assert_store_result(store->ops->camera_claim(store, registered.serial_number, CLAIMABLE, &placement, true, "x",
	                                             CONTRACT_ORIGIN, &out),
	                    STORE_CONFLICT);
	assert_stored_camera(store, &running);
	assert_stored_camera(store, &registered);
}

/* Gives the camera everything a working installation leaves: device credentials, direction aliases,
 * a heartbeat with metrics, a video upload and a frame. */
static void install(struct store *store, struct camera *camera, unsigned allowed_states)
{
	int64_t issued = 0;
	assert_store_result(store->ops->device_credentials_put(store, camera->id, "hash", CONTRACT_TIME * 1000,
	                                                       allowed_states, &issued),
	                    STORE_OK);
	struct camera_patch patch = {.set_direction1_alias = true, .has_direction1_alias = true};
	snprintf(patch.direction1_alias, sizeof(patch.direction1_alias), "In");
	struct heartbeat beat = {.at = CONTRACT_TIME + 30,
	                         .shutting_down = true,
	                         .encoded_frames_proportion = 0.5,
	                         .network_transmit_rate = 1000.25,
	                         .video_backlog = 2,
	                         .video_upload_latency = 0.125};
	snprintf(beat.camera_id, sizeof(beat.camera_id), "%s", camera->id);
	struct heartbeat_outcome outcome;
	assert_store_result(store->ops->camera_heartbeats_write(store, &beat, 1, &outcome), STORE_OK);
	assert_store_result(store->ops->video_upload_insert(store, camera->id, 0, CONTRACT_TIME + 31, 4096, 1.5),
	                    STORE_OK);
	const unsigned char jpeg[] = {0xff, 0xd8, 0x00, 0xff, 0xd9};
	assert_store_result(store->ops->frame_put(store, camera->id, 0, jpeg, sizeof(jpeg), CONTRACT_TIME + 32),
	                    STORE_OK);
	assert_store_result(store->ops->camera_patch(store, camera->id, camera->state, &patch, CONTRACT_ORIGIN, camera),
	                    STORE_OK);
	assert_int_equal(camera->last_seen_at, CONTRACT_TIME + 30);
	assert_int_equal(camera->last_video_at, CONTRACT_TIME + 31);
	assert_true(camera->reported_offline);
}

static void assert_no_frame_or_uploads(struct store *store, const char *camera_id)
{
	unsigned char *jpeg = NULL;
	size_t length = 0;
	int64_t taken_at = 0;
	assert_store_result(store->ops->frame_latest(store, camera_id, &jpeg, &length, &taken_at), STORE_NOT_FOUND);
	struct upload_totals totals = {.bytes = -1, .seconds = -1};
	assert_store_result(store->ops->upload_totals(store, camera_id, 0, CONTRACT_TIME * 2, &totals), STORE_OK);
	assert_int_equal(totals.bytes, 0);
	assert_true(totals.seconds == 0.0);
}

static void test_camera_decommission_then_claim_forgets_the_installation(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place first, second;
	contract_add_place(store, &first);
	contract_add_place(store, &second);
	struct camera camera, out;
	contract_add_claimed_camera(store, &first.site, &camera);
	install(store, &camera, CAMERA_STATE_BIT(CAMERA_RUNNING));
	contract_prime_camera(store, camera.id);

	assert_store_result(store->ops->camera_set_state(store, camera.id, CAMERA_RUNNING, CAMERA_DECOMMISSIONED,
	                                                 CONTRACT_TIME + 40, CONTRACT_ORIGIN, &out),
	                    STORE_OK);
	struct camera expected = camera; /* the organisation, site, position and device status stay */
	expected.state = CAMERA_DECOMMISSIONED;
	assert_camera_equal(&expected, &out);
	assert_stored_camera(store, &expected);
	struct device_camera device;
	assert_store_result(store->ops->device_camera_get(store, camera.id, &device), STORE_OK);
	assert_false(device.has_credentials);
	assert_int_equal(device.secret_issued_ms, 0);
	unsigned char *jpeg = NULL;
	size_t length = 0;
	int64_t taken_at = 0;
	assert_store_result(store->ops->frame_latest(store, camera.id, &jpeg, &length, &taken_at), STORE_NOT_FOUND);
	struct upload_totals totals;
	assert_store_result(store->ops->upload_totals(store, camera.id, 0, CONTRACT_TIME * 2, &totals), STORE_OK);
	assert_int_equal(totals.bytes, 4096); /* uploads stay until the next claim */

	/* another organisation claims it: nothing of the first installation shows */
	struct camera_placement placement = contract_placement(&second.site, CONTRACT_TIME + 50);
	assert_store_result(store->ops->camera_claim(store, camera.serial_number,
	                                             CAMERA_STATE_BIT(CAMERA_DECOMMISSIONED), &placement, false, NULL,
	                                             CONTRACT_ORIGIN, &out),
	                    STORE_OK);
	expected = claimed(&camera, &placement, NULL);
	assert_camera_equal(&expected, &out);
	assert_stored_camera(store, &expected);
	assert_no_frame_or_uploads(store, camera.id);
	assert_store_result(store->ops->device_camera_get(store, camera.id, &device), STORE_OK);
	assert_false(device.has_credentials);
	assert_string_equal(device.organisation_id, second.organisation.id);
}

static void test_camera_first_claim_keeps_factory_credentials_only(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct camera camera, out;
	contract_add_camera(store, &camera);
	install(store, &camera, CAMERA_STATE_BIT(CAMERA_REGISTERED));
	struct device_camera before, after;
	assert_store_result(store->ops->device_camera_get(store, camera.id, &before), STORE_OK);
	assert_true(before.has_credentials);
	contract_prime_camera(store, camera.id);
	struct camera_placement placement = contract_placement(&place.site, CONTRACT_TIME + 60);
	assert_store_result(store->ops->camera_claim(store, camera.serial_number, CLAIMABLE, &placement, true, "Cam",
	                                             CONTRACT_ORIGIN, &out),
	                    STORE_OK);
	struct camera expected = claimed(&camera, &placement, "Cam");
	assert_camera_equal(&expected, &out);
	assert_stored_camera(store, &expected);
	assert_no_frame_or_uploads(store, camera.id);
	assert_store_result(store->ops->device_camera_get(store, camera.id, &after), STORE_OK);
	assert_true(after.has_credentials);
	assert_int_equal(after.secret_issued_ms, before.secret_issued_ms);
}

static void test_camera_set_state_checks_the_expected_state(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct camera camera, out;
	contract_add_claimed_camera(store, &place.site, &camera);
	int64_t issued = 0;
	assert_store_result(store->ops->device_credentials_put(store, camera.id, "hash", CONTRACT_TIME * 1000,
	                                                       CAMERA_STATE_BIT(CAMERA_RUNNING), &issued),
	                    STORE_OK);
	contract_prime_camera(store, camera.id);
	struct camera expected = camera;
	expected.state = CAMERA_PAUSED;
	assert_store_result(store->ops->camera_set_state(store, camera.id, CAMERA_RUNNING, CAMERA_PAUSED,
	                                                 CONTRACT_TIME + 70, CONTRACT_ORIGIN, &out),
	                    STORE_OK);
	assert_camera_equal(&expected, &out);
	assert_stored_camera(store, &expected);
	assert_store_result(store->ops->camera_set_state(store, camera.id, CAMERA_RUNNING, CAMERA_PAUSED,
	                                                 CONTRACT_TIME + 71, CONTRACT_ORIGIN, &out),
	                    STORE_CONFLICT);
	assert_store_result(store->ops->camera_set_state(store, camera.id, CAMERA_RUNNING, CAMERA_DECOMMISSIONED,
	                                                 CONTRACT_TIME + 71, CONTRACT_ORIGIN, &out),
	                    STORE_CONFLICT);
	assert_stored_camera(store, &expected);
	struct device_camera device;
	assert_store_result(store->ops->device_camera_get(store, camera.id, &device), STORE_OK);
	assert_true(device.has_credentials); /* a refused decommission revoked nothing */
	assert_int_equal(device.state, CAMERA_PAUSED);

	expected.state = CAMERA_RUNNING;
	assert_store_result(store->ops->camera_set_state(store, camera.id, CAMERA_PAUSED, CAMERA_RUNNING,
	                                                 CONTRACT_TIME + 72, CONTRACT_ORIGIN, &out),
	                    STORE_OK);
	assert_stored_camera(store, &expected);
	char unknown[UUID_BUFFER_SIZE];
	contract_new_id(unknown);
	assert_store_result(store->ops->camera_set_state(store, unknown, CAMERA_RUNNING, CAMERA_PAUSED,
	                                                 CONTRACT_TIME + 73, CONTRACT_ORIGIN, &out),
	                    STORE_NOT_FOUND);
	assert_store_result(store->ops->camera_set_state(store, unknown, CAMERA_RUNNING, CAMERA_DECOMMISSIONED,
	                                                 CONTRACT_TIME + 73, CONTRACT_ORIGIN, &out),
	                    STORE_NOT_FOUND);
}

static void test_camera_move_opens_a_new_position(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place, other;
	contract_add_place(store, &place);
	contract_add_place(store, &other);
	struct site second;
	contract_add_site(store, place.organisation.id, &second);
	struct camera camera, out;
	contract_add_claimed_camera(store, &place.site, &camera);
	contract_prime_camera(store, camera.id);
	struct camera_placement placement = contract_placement(&second, CONTRACT_TIME + 80);
	assert_store_result(
	    store->ops->camera_move(store, camera.id, CAMERA_RUNNING, &placement, CONTRACT_ORIGIN, &out), STORE_OK);
	struct camera expected = placed(&camera, &placement); /* claimed_at and name stay */
	assert_camera_equal(&expected, &out);
	assert_stored_camera(store, &expected);

	struct camera_placement refused = contract_placement(&place.site, CONTRACT_TIME + 81);
	assert_store_result(store->ops->camera_move(store, camera.id, CAMERA_PAUSED, &refused, CONTRACT_ORIGIN, &out),
	                    STORE_CONFLICT);
	struct site nowhere = place.site;
	contract_new_id(nowhere.id);
	refused = contract_placement(&nowhere, CONTRACT_TIME + 81);
	assert_store_result(store->ops->camera_move(store, camera.id, CAMERA_RUNNING, &refused, CONTRACT_ORIGIN, &out),
	                    STORE_CONFLICT);
	assert_stored_camera(store, &expected);
	char unknown[UUID_BUFFER_SIZE];
	contract_new_id(unknown);
	assert_store_result(store->ops->camera_move(store, unknown, CAMERA_RUNNING, &placement, CONTRACT_ORIGIN, &out),
	                    STORE_NOT_FOUND);

	/* a paused camera moves to another organisation's site when asked to */
	assert_store_result(store->ops->camera_set_state(store, camera.id, CAMERA_RUNNING, CAMERA_PAUSED,
	                                                 CONTRACT_TIME + 82, CONTRACT_ORIGIN, &out),
	                    STORE_OK);
	expected.state = CAMERA_PAUSED;
	placement = contract_placement(&other.site, CONTRACT_TIME + 83);
	assert_store_result(store->ops->camera_move(store, camera.id, CAMERA_PAUSED, &placement, CONTRACT_ORIGIN, &out),
	                    STORE_OK);
	expected = placed(&expected, &placement);
	assert_camera_equal(&expected, &out);
	assert_stored_camera(store, &expected);
}

static void test_camera_patch_sets_clears_and_keeps_fields(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct camera camera, out;
	contract_add_claimed_camera(store, &place.site, &camera);
	contract_prime_camera(store, camera.id);
	struct camera_patch patch = {
	    .set_name = true, .has_name = true, .set_direction1_alias = true, .has_direction1_alias = true};
	for (size_t i = 0; i < CAMERA_TEXT_CHARS; i++)
		memcpy(patch.name + 4 * i, "\xf0\x9f\x93\xb7", 4); /* the longest name */
	snprintf(patch.direction1_alias, sizeof(patch.direction1_alias), "In");
	assert_store_result(store->ops->camera_patch(store, camera.id, CAMERA_RUNNING, &patch, CONTRACT_ORIGIN, &out),
	                    STORE_OK);
	struct camera expected = camera;
	memcpy(expected.name, patch.name, sizeof(expected.name));
	expected.has_direction1_alias = true;
	snprintf(expected.direction1_alias, sizeof(expected.direction1_alias), "In");
	assert_camera_equal(&expected, &out);
	assert_stored_camera(store, &expected);

	/* clear the name, set an empty alias, leave the other alias alone */
	patch = (struct camera_patch){
	    .set_name = true, .has_name = false, .set_direction2_alias = true, .has_direction2_alias = true};
	assert_store_result(store->ops->camera_patch(store, camera.id, CAMERA_RUNNING, &patch, CONTRACT_ORIGIN, &out),
	                    STORE_OK);
	expected.has_name = false;
	expected.name[0] = '\0';
	expected.has_direction2_alias = true;
	expected.direction2_alias[0] = '\0';
	assert_camera_equal(&expected, &out);
	assert_stored_camera(store, &expected);

	patch = (struct camera_patch){0}; /* nothing set: nothing changes */
	assert_store_result(store->ops->camera_patch(store, camera.id, CAMERA_RUNNING, &patch, CONTRACT_ORIGIN, &out),
	                    STORE_OK);
	assert_camera_equal(&expected, &out);
	patch = (struct camera_patch){.set_direction1_alias = true};
	assert_store_result(store->ops->camera_patch(store, camera.id, CAMERA_PAUSED, &patch, CONTRACT_ORIGIN, &out),
	                    STORE_CONFLICT);
	assert_stored_camera(store, &expected);
	char unknown[UUID_BUFFER_SIZE];
	contract_new_id(unknown);
	assert_store_result(store->ops->camera_patch(store, unknown, CAMERA_RUNNING, &patch, CONTRACT_ORIGIN, &out),
	                    STORE_NOT_FOUND);
	assert_store_result(store->ops->camera_patch(store, camera.id, CAMERA_RUNNING, &patch, CONTRACT_ORIGIN, &out),
	                    STORE_OK);
	expected.has_direction1_alias = false;
	expected.direction1_alias[0] = '\0';
	assert_stored_camera(store, &expected);
}

struct contract_tests contract_lifecycle_tests(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_camera_claim_places_a_registered_camera),
	    cmocka_unit_test(test_camera_claim_without_a_name_or_with_an_empty_one),
	    cmocka_unit_test(test_camera_claim_of_an_unclaimable_camera_is_conflict),
	    cmocka_unit_test(test_camera_decommission_then_claim_forgets_the_installation),
	    cmocka_unit_test(test_camera_first_claim_keeps_factory_credentials_only),
	    cmocka_unit_test(test_camera_set_state_checks_the_expected_state),
	    cmocka_unit_test(test_camera_move_opens_a_new_position),
	    cmocka_unit_test(test_camera_patch_sets_clears_and_keeps_fields),
	};
	return CONTRACT_TESTS(tests);
}
