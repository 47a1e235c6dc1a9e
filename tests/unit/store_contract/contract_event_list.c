/* Store contract: event_list, the audit log — newest first in the order of writing, filtered by type mask,
 * camera, site, since, organisation and the sites granted to a user (alone and combined), paged with
 * before_id (an id that is no event lists nothing) and limit. */
#include "contract.h"

#include <stdio.h>
#include <string.h>

/* A camera with six events of its own origins, one second apart:
 * [0] registered, [1] claimed, [2] paused, [3] resumed, [4] paused, [5] decommissioned. */
struct camera_history {
	struct camera camera;
	char event_ids[6][UUID_BUFFER_SIZE];
	int64_t times_ms[6];
};

static void make_history(struct store *store, const struct site *site, int64_t first_ms, struct camera_history *out)
{
	static const enum camera_state steps[] = {CAMERA_PAUSED, CAMERA_RUNNING, CAMERA_PAUSED, CAMERA_DECOMMISSIONED};
	for (size_t i = 0; i < 6; i++)
		out->times_ms[i] = first_ms + 1000 * (int64_t)i;
	struct change_origin origin = contract_fresh_origin(EVENT_ACTOR_USER, out->times_ms[0]);
	contract_register_camera_as(store, &origin, &out->camera);
	contract_newest_event_id(store, out->camera.id, out->event_ids[0]);
	origin.at_ms = out->times_ms[1];
	contract_claim_camera_as(store, site, "History", &origin, &out->camera);
	contract_newest_event_id(store, out->camera.id, out->event_ids[1]);
	for (size_t i = 0; i < 4; i++) {
		origin.at_ms = out->times_ms[2 + i];
		contract_set_state_as(store, &out->camera, steps[i], &origin);
		contract_newest_event_id(store, out->camera.id, out->event_ids[2 + i]);
	}
}

static void test_event_list_is_newest_first_and_filters_by_type(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct camera_history history;
	make_history(store, &place.site, CONTRACT_EVENT_TIME_MS(20000), &history);
	char(*id)[UUID_BUFFER_SIZE] = history.event_ids;
	struct contract_events listing = {0};
	struct event_filter filter = contract_camera_event_filter(history.camera.id);
	contract_list_events(store, &filter, &listing);
	assert_events_listed(&listing, id[5], id[4], id[3], id[2], id[1], id[0]);

	filter.type_mask = EVENT_TYPE_BIT(EVENT_CAMERA_PAUSED);
	contract_list_events(store, &filter, &listing);
	assert_events_listed(&listing, id[4], id[2]);
	filter.type_mask = EVENT_TYPE_BIT(EVENT_CAMERA_PAUSED) | EVENT_TYPE_BIT(EVENT_CAMERA_RESUMED);
	contract_list_events(store, &filter, &listing);
	assert_events_listed(&listing, id[4], id[3], id[2]);
	filter.type_mask = EVENT_TYPE_BIT(EVENT_CAMERA_REGISTERED) | EVENT_TYPE_BIT(EVENT_CAMERA_DECOMMISSIONED);
	contract_list_events(store, &filter, &listing);
	assert_events_listed(&listing, id[5], id[0]);
	filter.type_mask = EVENT_TYPE_BIT(EVENT_CAMERA_MOVED) | EVENT_TYPE_BIT(EVENT_CAMERA_OFFLINE);
	contract_list_events(store, &filter, &listing);
	assert_no_events_listed(&listing);
	contract_events_free(&listing);
}

static void test_event_list_order_is_the_order_of_writing(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct camera camera;
	contract_add_claimed_camera(store, &place.site, &camera);
	/* a later write that carries an earlier time (another node's clock): still the newest */
	struct change_origin late = contract_fresh_origin(EVENT_ACTOR_USER, CONTRACT_EVENT_TIME_MS(30000));
	struct change_origin early = contract_fresh_origin(EVENT_ACTOR_USER, CONTRACT_EVENT_TIME_MS(29000));
	char paused[UUID_BUFFER_SIZE], resumed[UUID_BUFFER_SIZE];
	contract_set_state_as(store, &camera, CAMERA_PAUSED, &late);
	contract_newest_event_id(store, camera.id, paused);
	contract_set_state_as(store, &camera, CAMERA_RUNNING, &early);
	contract_newest_event_id(store, camera.id, resumed);
	assert_string_not_equal(paused, resumed);
	struct contract_events listing = {0};
	struct event_filter filter = contract_camera_event_filter(camera.id);
	filter.since_ms = CONTRACT_EVENT_TIME_MS(29000);
	contract_list_events(store, &filter, &listing);
	assert_events_listed(&listing, resumed, paused);
	filter.since_ms = CONTRACT_EVENT_TIME_MS(29001);
	contract_list_events(store, &filter, &listing);
	assert_events_listed(&listing, paused);
	contract_events_free(&listing);
}

static void test_event_list_filters_by_since(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct camera_history history;
	make_history(store, &place.site, CONTRACT_EVENT_TIME_MS(40000), &history);
	char(*id)[UUID_BUFFER_SIZE] = history.event_ids;
	struct contract_events listing = {0};
	struct event_filter filter = contract_camera_event_filter(history.camera.id);
	filter.since_ms = history.times_ms[3]; /* at or after */
	contract_list_events(store, &filter, &listing);
	assert_events_listed(&listing, id[5], id[4], id[3]);
	filter.since_ms = history.times_ms[3] + 1;
	contract_list_events(store, &filter, &listing);
	assert_events_listed(&listing, id[5], id[4]);
	filter.since_ms = history.times_ms[5] + 1;
	contract_list_events(store, &filter, &listing);
	assert_no_events_listed(&listing);
	filter.since_ms = history.times_ms[3];
	filter.type_mask = EVENT_TYPE_BIT(EVENT_CAMERA_PAUSED);
	contract_list_events(store, &filter, &listing);
	assert_events_listed(&listing, id[4]);
	contract_events_free(&listing);
}

/* Two organisations: A with sites a1 and a2, B with b1; camera_a1 claimed at a1, camera_a2 at a2,
 * camera_b at b1, then camera_a1 moved to a2 and paused there. Event ids by what they record. */
struct event_fleet {
	struct contract_place a, b;
	struct site a2;
	struct camera camera_a1, camera_a2, camera_b;
	char a1_claimed[UUID_BUFFER_SIZE], a2_claimed[UUID_BUFFER_SIZE], b_claimed[UUID_BUFFER_SIZE];
	char a1_moved[UUID_BUFFER_SIZE], a1_paused[UUID_BUFFER_SIZE];
};

static void make_fleet(struct store *store, struct event_fleet *out)
{
	contract_add_place(store, &out->a);
	contract_add_place(store, &out->b);
	contract_add_site(store, out->a.organisation.id, &out->a2);
	contract_add_claimed_camera(store, &out->a.site, &out->camera_a1);
	contract_newest_event_id(store, out->camera_a1.id, out->a1_claimed);
	contract_add_claimed_camera(store, &out->a2, &out->camera_a2);
	contract_newest_event_id(store, out->camera_a2.id, out->a2_claimed);
	contract_add_claimed_camera(store, &out->b.site, &out->camera_b);
	contract_newest_event_id(store, out->camera_b.id, out->b_claimed);
	struct change_origin origin = contract_fresh_origin(EVENT_ACTOR_USER, CONTRACT_EVENT_TIME_MS(50000));
	contract_move_camera_as(store, &out->camera_a1, &out->a2, &origin);
	contract_newest_event_id(store, out->camera_a1.id, out->a1_moved);
	contract_set_state_as(store, &out->camera_a1, CAMERA_PAUSED, &origin);
	contract_newest_event_id(store, out->camera_a1.id, out->a1_paused);
}

static void copy_id(char out[UUID_BUFFER_SIZE], const char *id)
{
	snprintf(out, UUID_BUFFER_SIZE, "%s", id);
}

static void test_event_list_filters_by_site_camera_and_organisation(void **state)
{
	struct store *store = contract_store(state);
	struct event_fleet fleet;
	make_fleet(store, &fleet);
	struct contract_events listing = {0};
	struct event_filter filter = {0};
	copy_id(filter.site_id, fleet.a.site.id); /* events carry the camera's site after the change */
	contract_list_events(store, &filter, &listing);
	assert_events_listed(&listing, fleet.a1_claimed);
	copy_id(filter.site_id, fleet.a2.id);
	contract_list_events(store, &filter, &listing);
	assert_events_listed(&listing, fleet.a1_paused, fleet.a1_moved, fleet.a2_claimed);
	copy_id(filter.camera_id, fleet.camera_a2.id);
	contract_list_events(store, &filter, &listing);
	assert_events_listed(&listing, fleet.a2_claimed);
	filter.camera_id[0] = '\0';
	filter.type_mask = EVENT_TYPE_BIT(EVENT_CAMERA_MOVED);
	contract_list_events(store, &filter, &listing);
	assert_events_listed(&listing, fleet.a1_moved);

	filter = (struct event_filter){0};
	copy_id(filter.organisation_id, fleet.a.organisation.id); /* registered events have none */
	contract_list_events(store, &filter, &listing);
	assert_events_listed(&listing, fleet.a1_paused, fleet.a1_moved, fleet.a2_claimed, fleet.a1_claimed);
	copy_id(filter.organisation_id, fleet.b.organisation.id);
	contract_list_events(store, &filter, &listing);
	assert_events_listed(&listing, fleet.b_claimed);
	copy_id(filter.camera_id, fleet.camera_a1.id);
	contract_list_events(store, &filter, &listing);
	assert_no_events_listed(&listing);
	filter.camera_id[0] = '\0';
	copy_id(filter.site_id, fleet.a2.id);
	contract_list_events(store, &filter, &listing);
	assert_no_events_listed(&listing);
	contract_events_free(&listing);
}

static void test_event_list_keeps_the_sites_granted_to_a_user(void **state)
{
	struct store *store = contract_store(state);
	struct event_fleet fleet;
	make_fleet(store, &fleet);
	struct user granted_a1, granted_both, granted_none;
	contract_add_user(store, fleet.a.organisation.id, ROLE_VIEWER, &granted_a1);
	contract_add_user(store, fleet.a.organisation.id, ROLE_VIEWER, &granted_both);
	contract_add_user(store, fleet.a.organisation.id, ROLE_VIEWER, &granted_none);
	const char *a1[] = {fleet.a.site.id};
	const char *both[] = {fleet.a.site.id, fleet.a2.id};
	assert_store_result(store->ops->user_sites_set(store, granted_a1.id, a1, 1), STORE_OK);
	assert_store_result(store->ops->user_sites_set(store, granted_both.id, both, 2), STORE_OK);

	struct contract_events listing = {0};
	struct event_filter filter = {0};
	copy_id(filter.organisation_id, fleet.a.organisation.id);
	/* camera_a1 left a1: its events there stay visible, those after it moved do not */
	copy_id(filter.granted_user_id, granted_a1.id);
	contract_list_events(store, &filter, &listing);
	assert_events_listed(&listing, fleet.a1_claimed);
	copy_id(filter.granted_user_id, granted_both.id);
	contract_list_events(store, &filter, &listing);
	assert_events_listed(&listing, fleet.a1_paused, fleet.a1_moved, fleet.a2_claimed, fleet.a1_claimed);
	copy_id(filter.granted_user_id, granted_none.id);
	contract_list_events(store, &filter, &listing);
	assert_no_events_listed(&listing);
	copy_id(filter.granted_user_id, granted_a1.id);
	copy_id(filter.site_id, fleet.a2.id);
	contract_list_events(store, &filter, &listing);
	assert_no_events_listed(&listing);
	contract_events_free(&listing);
}

static void test_event_list_pages_with_before_id_and_limit(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct camera_history first, second;
	make_history(store, &place.site, CONTRACT_EVENT_TIME_MS(60000), &first);
	make_history(store, &place.site, CONTRACT_EVENT_TIME_MS(70000), &second);
	char(*id)[UUID_BUFFER_SIZE] = first.event_ids;
	struct contract_events listing = {0};
	struct event_filter filter = contract_camera_event_filter(first.camera.id);
	filter.limit = 1;
	contract_list_events(store, &filter, &listing);
	assert_events_listed(&listing, id[5]);
	filter.limit = 2;
	contract_list_events(store, &filter, &listing);
	assert_events_listed(&listing, id[5], id[4]);
	copy_id(filter.before_id, id[4]);
	contract_list_events(store, &filter, &listing);
	assert_events_listed(&listing, id[3], id[2]);
	copy_id(filter.before_id, id[2]);
	contract_list_events(store, &filter, &listing);
	assert_events_listed(&listing, id[1], id[0]);
	copy_id(filter.before_id, id[0]);
	contract_list_events(store, &filter, &listing);
	assert_no_events_listed(&listing);
	filter.limit = 0; /* all */
	copy_id(filter.before_id, id[3]);
	contract_list_events(store, &filter, &listing);
	assert_events_listed(&listing, id[2], id[1], id[0]);

	/* the cursor is a place in the order of writing, whichever camera its event is about */
	copy_id(filter.before_id, second.event_ids[0]);
	contract_list_events(store, &filter, &listing);
	assert_events_listed(&listing, id[5], id[4], id[3], id[2], id[1], id[0]);
	filter = contract_camera_event_filter(second.camera.id);
	copy_id(filter.before_id, id[5]);
	contract_list_events(store, &filter, &listing);
	assert_no_events_listed(&listing);

	/* an id that is no event (or no longer kept): nothing, not everything */
	filter = (struct event_filter){0};
	contract_new_id(filter.before_id);
	contract_list_events(store, &filter, &listing);
	assert_no_events_listed(&listing);
	contract_events_free(&listing);
}

struct contract_tests contract_event_list_tests(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_event_list_is_newest_first_and_filters_by_type),
	    cmocka_unit_test(test_event_list_order_is_the_order_of_writing),
	    cmocka_unit_test(test_event_list_filters_by_since),
	    cmocka_unit_test(test_event_list_filters_by_site_camera_and_organisation),
	    cmocka_unit_test(test_event_list_keeps_the_sites_granted_to_a_user),
	    cmocka_unit_test(test_event_list_pages_with_before_id_and_limit),
	};
	return CONTRACT_TESTS(tests);
}
