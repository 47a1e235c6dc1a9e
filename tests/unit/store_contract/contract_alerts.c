/* Store contract: health alerts — heartbeats set when a camera is looked at next, a claim takes
 * only the cameras due and leases them, a decision is applied once with its event (a second
 * application of the same decision finds the row changed), a whole site goes down as one
 * site.offline, and pausing closes an alert silently. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"

/* Far past any other test's heartbeats, whose alert_at_ms is their (0) alert_due_ms. */
#define DUE_MS   ((int64_t)CONTRACT_TIME * 1000 + 7000000)
#define LEASE_MS 30000

static const struct alert_settings settings = {90, 300, 0};

/* What a claim handed out for one camera. */
struct claim_watch {
	const char *camera_id;
	bool found;
	struct alert_row row;
};

static int watch_row(void *context, const struct alert_row *row)
{
	struct claim_watch *watch = context;
	if (strcmp(row->camera.id, watch->camera_id) == 0) {
		watch->found = true;
		watch->row = *row;
	}
	return 0;
}

/* Claims every camera due at now_ms; true when camera_id was among them (its row into *row). */
static bool claim_includes(struct store *store, int64_t now_ms, const char *camera_id, struct alert_row *row)
{
	struct claim_watch watch = {.camera_id = camera_id};
	assert_store_result(store->ops->alert_claim_due(store, now_ms, now_ms + LEASE_MS, 100000, watch_row, &watch),
	                    STORE_OK);
	if (watch.found && row != NULL)
		*row = watch.row;
	return watch.found;
}

/* A claimed camera at site that heartbeated at seen_at, due at due_ms. */
static void add_beating_camera(struct store *store, const struct site *site, int64_t seen_at, int64_t due_ms,
                               struct camera *out)
{
	contract_add_claimed_camera(store, site, out);
	struct heartbeat beat = {.at = seen_at, .alert_due_ms = due_ms};
	snprintf(beat.camera_id, sizeof(beat.camera_id), "%s", out->id);
	struct heartbeat_outcome outcome;
	assert_store_result(store->ops->camera_heartbeats_write(store, &beat, 1, &outcome), STORE_OK);
	assert_true(outcome.found);
}

static struct change_origin system_at(int64_t at_ms)
{
	return contract_make_origin(EVENT_ACTOR_SYSTEM, "", at_ms);
}

static void test_claim_takes_due_cameras_and_leases_them(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct camera camera;
	add_beating_camera(store, &place.site, CONTRACT_TIME, DUE_MS, &camera);
	assert_false(claim_includes(store, DUE_MS - 1, camera.id, NULL));
	struct alert_row row;
	assert_true(claim_includes(store, DUE_MS, camera.id, &row));
	assert_int_equal(row.alert_state, ALERT_NONE);
	assert_int_equal(row.camera.last_seen_at, CONTRACT_TIME);
	assert_false(claim_includes(store, DUE_MS, camera.id, NULL)); /* leased */
	assert_true(claim_includes(store, DUE_MS + LEASE_MS, camera.id, NULL));
}

static void test_offline_decision_is_applied_once_with_its_event(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct camera camera;
	add_beating_camera(store, &place.site, CONTRACT_TIME, DUE_MS, &camera);
	struct alert_row row;
	assert_true(claim_includes(store, DUE_MS, camera.id, &row));
	struct change_origin origin = system_at(DUE_MS);
	struct alert_change change = {
	    .seen = &row,
	    .decision = {.action = ALERT_ACTION_CAMERA_OFFLINE, .offline_since_ms = (CONTRACT_TIME + 90) * 1000},
	    .settings = &settings,
	    .origin = &origin};
	assert_store_result(store->ops->alert_apply(store, &change), STORE_OK);
	assert_store_result(store->ops->alert_apply(store, &change), STORE_CONFLICT);
	struct event_filter filter = contract_camera_event_filter(camera.id);
	filter.type_mask = EVENT_TYPE_BIT(EVENT_CAMERA_OFFLINE);
	struct contract_events listing = {0};
	contract_list_events(store, &filter, &listing);
	assert_int_equal(listing.count, 1);
	assert_int_equal(listing.events[0].record.actor.kind, EVENT_ACTOR_SYSTEM);
	assert_string_equal(listing.events[0].record.actor.id, "");
	assert_string_equal(json_string_value(json_object_get(listing.events[0].data, "offlineSince")),
	                    "2128-06-11T08:54:50Z");
	contract_events_free(&listing);
	assert_false(claim_includes(store, DUE_MS + LEASE_MS, camera.id, NULL)); /* no reminders: not looked at */
}

static void test_whole_site_down_is_one_site_offline(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct camera first, second;
	add_beating_camera(store, &place.site, CONTRACT_TIME, DUE_MS, &first);
	add_beating_camera(store, &place.site, CONTRACT_TIME, DUE_MS, &second);
	struct alert_row row;
	assert_true(claim_includes(store, DUE_MS, first.id, &row));
	struct change_origin origin = system_at(DUE_MS);
	struct alert_change change = {
	    .seen = &row,
	    .decision = {.action = ALERT_ACTION_CAMERA_OFFLINE, .offline_since_ms = (CONTRACT_TIME + 90) * 1000},
	    .settings = &settings,
	    .origin = &origin};
	assert_store_result(store->ops->alert_apply(store, &change), STORE_OK);
	struct event_filter filter = {0};
	snprintf(filter.site_id, sizeof(filter.site_id), "%s", place.site.id);
	struct contract_events listing = {0};
	filter.type_mask = EVENT_TYPE_BIT(EVENT_CAMERA_OFFLINE) | EVENT_TYPE_BIT(EVENT_SITE_OFFLINE);
	contract_list_events(store, &filter, &listing);
	assert_int_equal(listing.count, 1);
	assert_int_equal(listing.events[0].record.type, EVENT_SITE_OFFLINE);
	assert_string_equal(listing.events[0].record.camera_id, "");
	assert_int_equal(json_array_size(json_object_get(listing.events[0].data, "cameraIds")), 2);
	contract_events_free(&listing);
	/* the second camera is covered: not looked at until it heartbeats, then at once */
	assert_false(claim_includes(store, DUE_MS + LEASE_MS, second.id, NULL));
	struct heartbeat beat = {.at = CONTRACT_TIME + 500, .alert_due_ms = DUE_MS * 2};
	snprintf(beat.camera_id, sizeof(beat.camera_id), "%s", second.id);
	struct heartbeat_outcome outcome;
	assert_store_result(store->ops->camera_heartbeats_write(store, &beat, 1, &outcome), STORE_OK);
	assert_true(claim_includes(store, (CONTRACT_TIME + 500) * 1000, second.id, &row));
	assert_int_equal(row.alert_state, ALERT_SITE_COVERED);
}

static void test_pausing_closes_an_alert_and_resuming_starts_afresh(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct camera camera;
	add_beating_camera(store, &place.site, CONTRACT_TIME, DUE_MS, &camera);
	struct alert_row row;
	assert_true(claim_includes(store, DUE_MS, camera.id, &row));
	struct change_origin origin = system_at(DUE_MS);
	struct alert_change change = {.seen = &row,
	                              .decision = {.action = ALERT_ACTION_CAMERA_OFFLINE, .next_at_ms = DUE_MS + 1},
	                              .settings = &settings,
	                              .origin = &origin};
	assert_store_result(store->ops->alert_apply(store, &change), STORE_OK);
	struct change_origin pausing = contract_fresh_origin(EVENT_ACTOR_USER, DUE_MS + 1);
	pausing.offline_alert_after = 300;
	contract_set_state_as(store, &camera, CAMERA_PAUSED, &pausing);
	assert_false(claim_includes(store, DUE_MS + 1, camera.id, NULL)); /* closed: not looked at */
	contract_set_state_as(store, &camera, CAMERA_RUNNING, &pausing);
	assert_false(claim_includes(store, DUE_MS + 300000, camera.id, NULL));
	assert_true(claim_includes(store, DUE_MS + 300001, camera.id, &row));
	assert_int_equal(row.alert_state, ALERT_NONE);
}

struct contract_tests contract_alert_tests(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_claim_takes_due_cameras_and_leases_them),
	    cmocka_unit_test(test_offline_decision_is_applied_once_with_its_event),
	    cmocka_unit_test(test_whole_site_down_is_one_site_offline),
	    cmocka_unit_test(test_pausing_closes_an_alert_and_resuming_starts_afresh),
	};
	return CONTRACT_TESTS(tests);
}
