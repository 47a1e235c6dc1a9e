/* Store contract: events as the outbox — each camera write (register, claim, patch, pause, resume, move,
 * decommission) records exactly one event with its origin's actor and time, the camera's ids and its data
 * object; a patch that changes nothing and every refused write record none. */
#include "contract.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/lifecycle.h"

/* Fails unless event is one of type about camera (its ids as the write left them) made by origin. */
static void assert_event(const struct contract_event *event, enum event_type type, const struct camera *camera,
                         const struct change_origin *origin)
{
	const struct event_record *record = &event->record;
	assert_string_equal(event_type_name(record->type), event_type_name(type));
	assert_int_equal(strlen(record->id), UUID_TEXT_LENGTH);
	assert_string_equal(record->camera_id, camera->id);
	assert_string_equal(record->organisation_id, camera->organisation_id);
	assert_string_equal(record->site_id, camera->site_id);
	assert_string_equal(event_actor_kind_name(record->actor.kind), event_actor_kind_name(origin->actor.kind));
	assert_string_equal(record->actor.id, origin->actor.id);
	assert_int_equal(record->occurred_at_ms, origin->at_ms);
	/* data.camera is the camera after the change, without metrics */
	json_t *data_camera = json_object_get(event->data, "camera");
	assert_true(json_is_object(data_camera));
	assert_string_equal(json_string_value(json_object_get(data_camera, "id")), camera->id);
	assert_string_equal(json_string_value(json_object_get(data_camera, "state")), camera_state_name(camera->state));
	assert_null(json_object_get(data_camera, "encodedFramesProportion"));
	assert_null(json_object_get(data_camera, "videoUploadLatency"));
}

/* Lists the camera's events into *out and fails unless there are count of them, the newest (first)
 * being one of type about camera made by origin. */
static void assert_newest_event(struct store *store, const struct camera *camera, size_t count, enum event_type type,
                                const struct change_origin *origin, struct contract_events *out)
{
	struct event_filter filter = contract_camera_event_filter(camera->id);
	contract_list_events(store, &filter, out);
	assert_int_equal(out->count, count);
	assert_event(&out->events[0], type, camera, origin);
}

/* Fails unless the camera has exactly count events. */
static void assert_event_count(struct store *store, const char *camera_id, size_t count)
{
	struct contract_events listing = {0};
	struct event_filter filter = contract_camera_event_filter(camera_id);
	contract_list_events(store, &filter, &listing);
	assert_int_equal(listing.count, count);
	contract_events_free(&listing);
}

/* Fails unless the JSON text expected equals value. */
static void assert_json(const json_t *value, const char *expected)
{
	json_t *wanted = json_loads(expected, 0, NULL);
	assert_non_null(wanted);
	if (!json_equal(value, wanted)) {
		char *actual = json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS);
		print_error("JSON is %s\nexpected %s\n", actual != NULL ? actual : "(null)", expected);
		free(actual);
		json_decref(wanted);
		fail();
	}
	json_decref(wanted);
}

/* ---- each write, one event --------------------------------------------------------------------- */

static void test_event_register_and_claim_record_one_event_each(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct contract_events listing = {0};
	struct camera camera;
	struct change_origin by_client = contract_fresh_origin(EVENT_ACTOR_CLIENT, CONTRACT_EVENT_TIME_MS(1001));
	contract_register_camera_as(store, &by_client, &camera);
	assert_newest_event(store, &camera, 1, EVENT_CAMERA_REGISTERED, &by_client, &listing);
	assert_int_equal(json_object_size(listing.events[0].data), 1); /* only "camera" */
	assert_string_equal(listing.events[0].record.organisation_id, "");
	const struct camera registered = camera;

	struct change_origin by_user = contract_fresh_origin(EVENT_ACTOR_USER, CONTRACT_EVENT_TIME_MS(2002));
	contract_claim_camera_as(store, &place.site, "Lobby", &by_user, &camera);
	assert_newest_event(store, &camera, 2, EVENT_CAMERA_CLAIMED, &by_user, &listing);
	assert_string_equal(listing.events[0].record.organisation_id, place.organisation.id);
	assert_string_equal(listing.events[0].record.site_id, place.site.id);
	assert_int_equal(json_object_size(listing.events[0].data), 1);
	json_t *data_camera = json_object_get(listing.events[0].data, "camera");
	assert_string_equal(json_string_value(json_object_get(data_camera, "name")), "Lobby");
	assert_string_equal(json_string_value(json_object_get(data_camera, "siteId")), place.site.id);
	assert_string_equal(json_string_value(json_object_get(data_camera, "cameraPositionId")),
	                    camera.camera_position_id);
	assert_event(&listing.events[1], EVENT_CAMERA_REGISTERED, &registered, &by_client);
	contract_events_free(&listing);
}

static void test_event_patch_records_the_changed_fields_old_and_new(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct contract_events listing = {0};
	struct camera camera;
	contract_add_claimed_camera(store, &place.site, &camera); /* named "Camera <n>", no aliases */
	char old_name[sizeof(camera.name)];
	snprintf(old_name, sizeof(old_name), "%s", camera.name);

	struct camera_patch patch = {.set_name = true,
	                             .has_name = true,
	                             .set_direction1_alias = true,
	                             .has_direction1_alias = true,
	                             .set_direction2_alias = true,
	                             .has_direction2_alias = false}; /* already null: no change */
	snprintf(patch.name, sizeof(patch.name), "Lobby \"east\"");
	snprintf(patch.direction1_alias, sizeof(patch.direction1_alias), "In");
	struct change_origin by_user = contract_fresh_origin(EVENT_ACTOR_USER, CONTRACT_EVENT_TIME_MS(3003));
	assert_store_result(store->ops->camera_patch(store, camera.id, CAMERA_RUNNING, &patch, &by_user, &camera),
	                    STORE_OK);
	assert_newest_event(store, &camera, 3, EVENT_CAMERA_UPDATED, &by_user, &listing);
	json_t *data = listing.events[0].data;
	assert_int_equal(json_object_size(data), 2);
	char expected[sizeof(old_name) + 128];
	int length = snprintf(expected, sizeof(expected),
	                      "{\"name\": {\"old\": \"%s\", \"new\": \"Lobby \\\"east\\\"\"},"
	                      " \"direction1Alias\": {\"old\": null, \"new\": \"In\"}}",
	                      old_name);
	assert_true(length > 0 && (size_t)length < sizeof(expected));
	assert_json(json_object_get(data, "changes"), expected);
	assert_string_equal(json_string_value(json_object_get(json_object_get(data, "camera"), "name")),
	                    "Lobby \"east\"");

	/* clear the name, set the other alias to "" (not null), keep the first alias */
	patch = (struct camera_patch){.set_name = true,
	                              .has_name = false,
	                              .set_direction1_alias = true,
	                              .has_direction1_alias = true,
	                              .set_direction2_alias = true,
	                              .has_direction2_alias = true};
	snprintf(patch.direction1_alias, sizeof(patch.direction1_alias), "In");
	struct change_origin by_client = contract_fresh_origin(EVENT_ACTOR_CLIENT, CONTRACT_EVENT_TIME_MS(4004));
	assert_store_result(store->ops->camera_patch(store, camera.id, CAMERA_RUNNING, &patch, &by_client, &camera),
	                    STORE_OK);
	assert_newest_event(store, &camera, 4, EVENT_CAMERA_UPDATED, &by_client, &listing);
	assert_json(json_object_get(listing.events[0].data, "changes"),
	            "{\"name\": {\"old\": \"Lobby \\\"east\\\"\", \"new\": null},"
	            " \"direction2Alias\": {\"old\": null, \"new\": \"\"}}");
	contract_events_free(&listing);
}

static void test_event_patch_that_changes_nothing_records_none(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct camera camera;
	contract_add_claimed_camera(store, &place.site, &camera);
	struct change_origin by_user = contract_fresh_origin(EVENT_ACTOR_USER, CONTRACT_EVENT_TIME_MS(5005));
	struct camera_patch nothing = {0};
	assert_store_result(store->ops->camera_patch(store, camera.id, CAMERA_RUNNING, &nothing, &by_user, &camera),
	                    STORE_OK);
	assert_event_count(store, camera.id, 2); /* registered, claimed */
	struct camera_patch same = {.set_name = true, .has_name = true, .set_direction1_alias = true};
	snprintf(same.name, sizeof(same.name), "%s", camera.name);
	assert_store_result(store->ops->camera_patch(store, camera.id, CAMERA_RUNNING, &same, &by_user, &camera),
	                    STORE_OK);
	assert_event_count(store, camera.id, 2);
}

static void test_event_state_changes_and_move_record_one_event_each(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct site second;
	contract_add_site(store, place.organisation.id, &second);
	struct contract_events listing = {0};
	struct camera camera;
	contract_add_claimed_camera(store, &place.site, &camera);

	struct change_origin by_device =
	    contract_make_origin(EVENT_ACTOR_DEVICE, camera.id, CONTRACT_EVENT_TIME_MS(6006));
	contract_set_state_as(store, &camera, CAMERA_PAUSED, &by_device);
	assert_newest_event(store, &camera, 3, EVENT_CAMERA_PAUSED, &by_device, &listing);
	assert_int_equal(json_object_size(listing.events[0].data), 1);

	struct change_origin by_system = contract_make_origin(EVENT_ACTOR_SYSTEM, "", CONTRACT_EVENT_TIME_MS(7007));
	contract_set_state_as(store, &camera, CAMERA_RUNNING, &by_system);
	assert_newest_event(store, &camera, 4, EVENT_CAMERA_RESUMED, &by_system, &listing);

	struct change_origin by_client = contract_fresh_origin(EVENT_ACTOR_CLIENT, CONTRACT_EVENT_TIME_MS(8008));
	contract_move_camera_as(store, &camera, &second, &by_client);
	assert_newest_event(store, &camera, 5, EVENT_CAMERA_MOVED, &by_client, &listing);
	json_t *data = listing.events[0].data;
	assert_int_equal(json_object_size(data), 4);
	assert_string_equal(json_string_value(json_object_get(data, "fromSiteId")), place.site.id);
	assert_string_equal(json_string_value(json_object_get(data, "toSiteId")), second.id);
	assert_string_equal(json_string_value(json_object_get(data, "cameraPositionId")), camera.camera_position_id);
	assert_string_equal(json_string_value(json_object_get(json_object_get(data, "camera"), "siteId")), second.id);

	struct change_origin by_user = contract_fresh_origin(EVENT_ACTOR_USER, CONTRACT_EVENT_TIME_MS(9009));
	contract_set_state_as(store, &camera, CAMERA_DECOMMISSIONED, &by_user);
	assert_newest_event(store, &camera, 6, EVENT_CAMERA_DECOMMISSIONED, &by_user, &listing);
	assert_string_equal(listing.events[0].record.site_id, second.id); /* the placement stays */

	/* the whole history, newest first */
	const enum event_type history[] = {EVENT_CAMERA_DECOMMISSIONED, EVENT_CAMERA_MOVED,   EVENT_CAMERA_RESUMED,
	                                   EVENT_CAMERA_PAUSED,         EVENT_CAMERA_CLAIMED, EVENT_CAMERA_REGISTERED};
	for (size_t i = 0; i < listing.count; i++)
		assert_string_equal(event_type_name(listing.events[i].record.type), event_type_name(history[i]));
	contract_events_free(&listing);
}

static void test_event_decommissioning_a_paused_camera_records_decommissioned(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct contract_events listing = {0};
	struct camera camera;
	contract_add_claimed_camera(store, &place.site, &camera);
	struct change_origin by_user = contract_fresh_origin(EVENT_ACTOR_USER, CONTRACT_EVENT_TIME_MS(10010));
	contract_set_state_as(store, &camera, CAMERA_PAUSED, &by_user);
	contract_set_state_as(store, &camera, CAMERA_DECOMMISSIONED, &by_user);
	assert_newest_event(store, &camera, 4, EVENT_CAMERA_DECOMMISSIONED, &by_user, &listing);
	assert_string_equal(event_type_name(listing.events[1].record.type), "camera.paused");
	contract_events_free(&listing);
}

/* ---- refused writes, no event ----------------------------------------------------------------- */

static void test_event_refused_register_and_claim_record_none(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct camera running, registered, out;
	contract_add_claimed_camera(store, &place.site, &running);
	contract_add_camera(store, &registered);
	struct change_origin origin = contract_fresh_origin(EVENT_ACTOR_CLIENT, CONTRACT_EVENT_TIME_MS(11011));

	char other_id[UUID_BUFFER_SIZE], other_serial[CAMERA_SERIAL_MAX + 1];
	contract_new_id(other_id);
	snprintf(other_serial, sizeof(other_serial), "SN-%s", other_id);
	assert_store_result(store->ops->camera_register(store, registered.id, other_serial, CONTRACT_TIME, &origin),
	                    STORE_CONFLICT);
	assert_store_result(
	    store->ops->camera_register(store, other_id, registered.serial_number, CONTRACT_TIME, &origin),
	    STORE_CONFLICT);
	assert_event_count(store, registered.id, 1);
	assert_event_count(store, other_id, 0);

	struct camera_placement placement = contract_placement(&place.site, CONTRACT_TIME + 11);
	assert_store_result(store->ops->camera_claim(store, running.serial_number, CAMERA_STATE_BIT(CAMERA_REGISTERED),
	                                             &placement, true, "x", &origin, &out),
	                    STORE_CONFLICT);
	assert_store_result(store->ops->camera_claim(store, other_serial, CAMERA_STATE_BIT(CAMERA_REGISTERED),
	                                             &placement, true, "x", &origin, &out),
	                    STORE_NOT_FOUND);
	/* the claim's UPDATE passes, its site does not exist: the whole transaction goes, event too */
	struct site nowhere = place.site;
	contract_new_id(nowhere.id);
	placement = contract_placement(&nowhere, CONTRACT_TIME + 11);
	assert_store_result(store->ops->camera_claim(store, registered.serial_number,
	                                             CAMERA_STATE_BIT(CAMERA_REGISTERED), &placement, true, "x",
	                                             &origin, &out),
	                    STORE_CONFLICT);
	assert_event_count(store, running.id, 2);
	assert_event_count(store, registered.id, 1);
}

static void test_event_refused_state_move_and_patch_record_none(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct camera camera, out;
	contract_add_claimed_camera(store, &place.site, &camera);
	char unknown[UUID_BUFFER_SIZE];
	contract_new_id(unknown);
	struct change_origin origin = contract_fresh_origin(EVENT_ACTOR_USER, CONTRACT_EVENT_TIME_MS(12012));
	int64_t at = origin.at_ms / 1000;

	assert_store_result(
	    store->ops->camera_set_state(store, camera.id, CAMERA_PAUSED, CAMERA_RUNNING, at, &origin, &out),
	    STORE_CONFLICT);
	assert_store_result(
	    store->ops->camera_set_state(store, camera.id, CAMERA_PAUSED, CAMERA_DECOMMISSIONED, at, &origin, &out),
	    STORE_CONFLICT);
	assert_store_result(
	    store->ops->camera_set_state(store, unknown, CAMERA_RUNNING, CAMERA_PAUSED, at, &origin, &out),
	    STORE_NOT_FOUND);

	struct camera_placement placement = contract_placement(&place.site, at);
	assert_store_result(store->ops->camera_move(store, camera.id, CAMERA_PAUSED, &placement, &origin, &out),
	                    STORE_CONFLICT);
	assert_store_result(store->ops->camera_move(store, unknown, CAMERA_RUNNING, &placement, &origin, &out),
	                    STORE_NOT_FOUND);
	struct site nowhere = place.site;
	contract_new_id(nowhere.id);
	placement = contract_placement(&nowhere, at);
	assert_store_result(store->ops->camera_move(store, camera.id, CAMERA_RUNNING, &placement, &origin, &out),
	                    STORE_CONFLICT);

	struct camera_patch patch = {.set_name = true, .has_name = true};
	snprintf(patch.name, sizeof(patch.name), "Refused");
	assert_store_result(store->ops->camera_patch(store, camera.id, CAMERA_PAUSED, &patch, &origin, &out),
	                    STORE_CONFLICT);
	assert_store_result(store->ops->camera_patch(store, unknown, CAMERA_RUNNING, &patch, &origin, &out),
	                    STORE_NOT_FOUND);

	assert_event_count(store, camera.id, 2); /* registered, claimed */
	assert_event_count(store, unknown, 0);
	assert_stored_camera(store, &camera);
}

struct contract_tests contract_event_tests(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_event_register_and_claim_record_one_event_each),
	    cmocka_unit_test(test_event_patch_records_the_changed_fields_old_and_new),
	    cmocka_unit_test(test_event_patch_that_changes_nothing_records_none),
	    cmocka_unit_test(test_event_state_changes_and_move_record_one_event_each),
	    cmocka_unit_test(test_event_decommissioning_a_paused_camera_records_decommissioned),
	    cmocka_unit_test(test_event_refused_register_and_claim_record_none),
	    cmocka_unit_test(test_event_refused_state_move_and_patch_record_none),
	};
	return CONTRACT_TESTS(tests);
}
