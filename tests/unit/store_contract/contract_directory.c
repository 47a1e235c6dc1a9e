/* Store contract: organisations and sites — round trips of every field, duplicate and unknown ids,
 * listing order (created_at, then id) and filters, updates that touch only what they should, and
 * deletes refused (STORE_CONFLICT) while anything still refers to the row. */
#include "contract.h"

#include <stdio.h>
#include <string.h>

/* A name of ENTITY_NAME_MAX bytes: ENTITY_NAME_CHARS four-byte characters (U+1D11E). */
static void longest_name(char out[ENTITY_NAME_MAX + 1])
{
	for (size_t i = 0; i < ENTITY_NAME_CHARS; i++)
		memcpy(out + 4 * i, "\xf0\x9d\x84\x9e", 4);
	out[ENTITY_NAME_MAX] = '\0';
}

/* ---- organisations ------------------------------------------------------------------------------ */

struct organisation_listing {
	struct contract_ids ids;
	const struct organisation *expected; /* compared field by field when listed */
	int matched;
};

static int list_organisation(void *context, const struct organisation *organisation)
{
	struct organisation_listing *listing = context;
	if (listing->expected != NULL && strcmp(organisation->id, listing->expected->id) == 0) {
		listing->matched++;
		assert_string_equal(organisation->name, listing->expected->name);
		assert_int_equal(organisation->created_at, listing->expected->created_at);
	}
	return contract_ids_add(&listing->ids, organisation->id);
}

static int stop_at_first_organisation(void *context, const struct organisation *organisation)
{
	(*(int *)context)++;
	return 1;
}

static void test_organisation_round_trip(void **state)
{
	struct store *store = contract_store(state);
	struct organisation organisation = {.created_at = CONTRACT_TIME + 7};
	contract_new_id(organisation.id);
	snprintf(organisation.name, sizeof(organisation.name), "Caf\xc3\xa9 \xe2\x9c\x93 'quoted' %s", organisation.id);
	assert_store_result(store->ops->organisation_insert(store, &organisation), STORE_OK);
	struct organisation read;
	memset(&read, 0x5a, sizeof(read));
	assert_store_result(store->ops->organisation_get(store, organisation.id, &read), STORE_OK);
	assert_string_equal(read.id, organisation.id);
	assert_string_equal(read.name, organisation.name);
	assert_int_equal(read.created_at, CONTRACT_TIME + 7);
}

static void test_organisation_duplicate_id_is_conflict(void **state)
{
	struct store *store = contract_store(state);
	struct organisation organisation;
	contract_add_organisation(store, &organisation);
	struct organisation again = organisation;
	snprintf(again.name, sizeof(again.name), "another name");
	assert_store_result(store->ops->organisation_insert(store, &again), STORE_CONFLICT);
	struct organisation read;
	assert_store_result(store->ops->organisation_get(store, organisation.id, &read), STORE_OK);
	assert_string_equal(read.name, organisation.name);
}

static void test_organisation_get_unknown_is_not_found(void **state)
{
	struct store *store = contract_store(state);
	char id[UUID_BUFFER_SIZE];
	contract_new_id(id);
	struct organisation read;
	assert_store_result(store->ops->organisation_get(store, id, &read), STORE_NOT_FOUND);
}

static void test_organisation_list_orders_by_creation_then_id(void **state)
{
	struct store *store = contract_store(state);
	struct organisation later, first, second;
	contract_make_organisation(CONTRACT_TIME + 2, &later);
	contract_make_organisation(CONTRACT_TIME + 1, &first);
	contract_make_organisation(CONTRACT_TIME + 1, &second);
	if (strcmp(second.id, first.id) < 0) {
		struct organisation swap = first;
		first = second;
		second = swap;
	}
	/* the three rows of this test, inserted in an order unlike the listing's */
	assert_store_result(store->ops->organisation_insert(store, &later), STORE_OK);
	assert_store_result(store->ops->organisation_insert(store, &second), STORE_OK);
	assert_store_result(store->ops->organisation_insert(store, &first), STORE_OK);
	const char *own[] = {later.id, first.id, second.id};
	struct organisation_listing listing = {.ids = {.own = own, .own_count = 3}, .expected = &later};
	assert_store_result(store->ops->organisation_list(store, list_organisation, &listing), STORE_OK);
	assert_ids(&listing.ids, first.id, second.id, later.id);
	assert_int_equal(listing.matched, 1);
}

static void test_organisation_list_stops_when_asked(void **state)
{
	struct store *store = contract_store(state);
	struct organisation one, two;
	contract_add_organisation(store, &one);
	contract_add_organisation(store, &two);
	int calls = 0;
	assert_store_result(store->ops->organisation_list(store, stop_at_first_organisation, &calls), STORE_OK);
	assert_int_equal(calls, 1);
}

static void test_organisation_update_changes_the_name_only(void **state)
{
	struct store *store = contract_store(state);
	struct organisation organisation;
	contract_add_organisation(store, &organisation);
	struct organisation changed = organisation;
	longest_name(changed.name);
	changed.created_at = 1; /* not a column update writes */
	assert_store_result(store->ops->organisation_update(store, &changed), STORE_OK);
	struct organisation read;
	assert_store_result(store->ops->organisation_get(store, organisation.id, &read), STORE_OK);
	assert_string_equal(read.name, changed.name);
	assert_int_equal(strlen(read.name), ENTITY_NAME_MAX);
	assert_int_equal(read.created_at, organisation.created_at);
	contract_new_id(changed.id);
	assert_store_result(store->ops->organisation_update(store, &changed), STORE_NOT_FOUND);
}

static void test_organisation_delete_unused(void **state)
{
	struct store *store = contract_store(state);
	struct organisation organisation;
	contract_add_organisation(store, &organisation);
	assert_store_result(store->ops->organisation_delete(store, organisation.id), STORE_OK);
	struct organisation read;
	assert_store_result(store->ops->organisation_get(store, organisation.id, &read), STORE_NOT_FOUND);
	assert_store_result(store->ops->organisation_delete(store, organisation.id), STORE_NOT_FOUND);
}

static void test_organisation_delete_in_use_is_conflict(void **state)
{
	struct store *store = contract_store(state);
	struct organisation with_site, with_user, with_client, with_camera;
	struct site site;
	struct user user;
	struct client client;
	contract_add_organisation(store, &with_site);
	contract_add_site(store, with_site.id, &site);
	contract_add_organisation(store, &with_user);
	contract_add_user(store, with_user.id, ROLE_ADMIN, &user);
	contract_add_organisation(store, &with_client);
	contract_add_client(store, with_client.id, ROLE_ADMIN, &client);
	/* a camera of the organisation placed at another organisation's site: only the camera refers to it */
	contract_add_organisation(store, &with_camera);
	struct camera camera, claimed;
	contract_add_camera(store, &camera);
	struct camera_placement placement = contract_placement(&site, CONTRACT_TIME);
	snprintf(placement.organisation_id, sizeof(placement.organisation_id), "%s", with_camera.id);
	assert_store_result(store->ops->camera_claim(store, camera.serial_number, CAMERA_STATE_BIT(CAMERA_REGISTERED),
	                                             &placement, false, NULL, CONTRACT_ORIGIN, &claimed),
	                    STORE_OK);

	assert_store_result(store->ops->organisation_delete(store, with_site.id), STORE_CONFLICT);
	assert_store_result(store->ops->organisation_delete(store, with_user.id), STORE_CONFLICT);
	assert_store_result(store->ops->organisation_delete(store, with_client.id), STORE_CONFLICT);
	assert_store_result(store->ops->organisation_delete(store, with_camera.id), STORE_CONFLICT);
	struct organisation read;
	assert_store_result(store->ops->organisation_get(store, with_site.id, &read), STORE_OK);
	assert_store_result(store->ops->organisation_get(store, with_camera.id, &read), STORE_OK);

	assert_store_result(store->ops->user_delete(store, user.id, 0), STORE_OK);
	assert_store_result(store->ops->organisation_delete(store, with_user.id), STORE_OK);
	assert_store_result(store->ops->client_delete(store, client.id, 0), STORE_OK);
	assert_store_result(store->ops->organisation_delete(store, with_client.id), STORE_OK);
}

/* ---- sites -------------------------------------------------------------------------------------- */

struct site_listing {
	struct contract_ids ids;
	const struct site *expected;
	int matched;
};

static int list_site(void *context, const struct site *site)
{
	struct site_listing *listing = context;
	if (listing->expected != NULL && strcmp(site->id, listing->expected->id) == 0) {
		listing->matched++;
		assert_string_equal(site->organisation_id, listing->expected->organisation_id);
		assert_string_equal(site->name, listing->expected->name);
		assert_string_equal(site->time_zone, listing->expected->time_zone);
		assert_int_equal(site->created_at, listing->expected->created_at);
	}
	return contract_ids_add(&listing->ids, site->id);
}

static void assert_site_equal(const struct site *expected, const struct site *read)
{
	assert_string_equal(read->id, expected->id);
	assert_string_equal(read->organisation_id, expected->organisation_id);
	assert_string_equal(read->name, expected->name);
	assert_string_equal(read->time_zone, expected->time_zone);
	assert_int_equal(read->created_at, expected->created_at);
}

static void test_site_round_trip_and_conflicts(void **state)
{
	struct store *store = contract_store(state);
	struct organisation organisation;
	contract_add_organisation(store, &organisation);
	struct site site = {.created_at = CONTRACT_TIME + 3};
	contract_new_id(site.id);
	snprintf(site.organisation_id, sizeof(site.organisation_id), "%s", organisation.id);
	longest_name(site.name);
	snprintf(site.time_zone, sizeof(site.time_zone), "America/Argentina/ComodRivadavia");
	assert_store_result(store->ops->site_insert(store, &site), STORE_OK);
	struct site read;
	memset(&read, 0x5a, sizeof(read));
	assert_store_result(store->ops->site_get(store, site.id, &read), STORE_OK);
	assert_site_equal(&site, &read);

	assert_store_result(store->ops->site_insert(store, &site), STORE_CONFLICT);
	struct site orphan = site;
	contract_new_id(orphan.id);
	contract_new_id(orphan.organisation_id); /* no such organisation: the foreign key refuses it */
	assert_store_result(store->ops->site_insert(store, &orphan), STORE_CONFLICT);
	assert_store_result(store->ops->site_get(store, orphan.id, &read), STORE_NOT_FOUND);
}

static void test_site_list_filters_and_order(void **state)
{
	struct store *store = contract_store(state);
	struct organisation mine, other;
	contract_add_organisation(store, &mine);
	contract_add_organisation(store, &other);
	struct site later, first, second, elsewhere;
	contract_add_site(store, other.id, &elsewhere); /* created at CONTRACT_TIME */
	contract_make_site(mine.id, CONTRACT_TIME + 2, &later);
	contract_make_site(mine.id, CONTRACT_TIME + 1, &first);
	contract_make_site(mine.id, CONTRACT_TIME + 1, &second);
	if (strcmp(second.id, first.id) < 0) {
		struct site swap = first;
		first = second;
		second = swap;
	}
	/* inserted in an order unlike the listing's */
	assert_store_result(store->ops->site_insert(store, &later), STORE_OK);
	assert_store_result(store->ops->site_insert(store, &second), STORE_OK);
	assert_store_result(store->ops->site_insert(store, &first), STORE_OK);
	const char *own[] = {later.id, first.id, second.id, elsewhere.id};

	struct site_listing listing = {.ids = {.own = own, .own_count = 4}, .expected = &second};
	assert_store_result(store->ops->site_list(store, mine.id, "", list_site, &listing), STORE_OK);
	assert_ids(&listing.ids, first.id, second.id, later.id);
	assert_int_equal(listing.matched, 1);

	listing = (struct site_listing){.ids = {.own = own, .own_count = 4}};
	assert_store_result(store->ops->site_list(store, "", "", list_site, &listing), STORE_OK);
	assert_ids(&listing.ids, elsewhere.id, first.id, second.id, later.id);

	/* a viewer granted two of the sites */
	struct user viewer;
	contract_add_user(store, mine.id, ROLE_VIEWER, &viewer);
	const char *granted[] = {later.id, second.id};
	assert_store_result(store->ops->user_sites_set(store, viewer.id, granted, 2), STORE_OK);
	listing = (struct site_listing){.ids = {.own = own, .own_count = 4}};
	assert_store_result(store->ops->site_list(store, mine.id, viewer.id, list_site, &listing), STORE_OK);
	assert_ids(&listing.ids, second.id, later.id);
	listing = (struct site_listing){.ids = {.own = own, .own_count = 4}};
	assert_store_result(store->ops->site_list(store, "", viewer.id, list_site, &listing), STORE_OK);
	assert_ids(&listing.ids, second.id, later.id);
	assert_int_equal(listing.ids.seen, 2);
	listing = (struct site_listing){.ids = {.own = own, .own_count = 4}};
	assert_store_result(store->ops->site_list(store, other.id, viewer.id, list_site, &listing), STORE_OK);
	assert_int_equal(listing.ids.seen, 0);
}

static void test_site_update_changes_name_and_time_zone_only(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place, elsewhere;
	contract_add_place(store, &place);
	contract_add_place(store, &elsewhere);
	struct site changed = place.site;
	snprintf(changed.name, sizeof(changed.name), "Renamed \xc3\xa9");
	snprintf(changed.time_zone, sizeof(changed.time_zone), "Asia/Kolkata");
	snprintf(changed.organisation_id, sizeof(changed.organisation_id), "%s", elsewhere.organisation.id);
	changed.created_at = 1;
	assert_store_result(store->ops->site_update(store, &changed), STORE_OK);
	struct site read, expected = place.site;
	snprintf(expected.name, sizeof(expected.name), "%s", changed.name);
	snprintf(expected.time_zone, sizeof(expected.time_zone), "%s", changed.time_zone);
	assert_store_result(store->ops->site_get(store, place.site.id, &read), STORE_OK);
	assert_site_equal(&expected, &read);
	contract_new_id(changed.id);
	assert_store_result(store->ops->site_update(store, &changed), STORE_NOT_FOUND);
}

static int count_exception(void *context, const char *date, const char *intervals_json)
{
	(*(int *)context)++;
	return 0;
}

static int count_site_id(void *context, const char *site_id)
{
	(*(int *)context)++;
	return 0;
}

static void test_site_delete_takes_grants_and_hours_with_it(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct user viewer;
	contract_add_user(store, place.organisation.id, ROLE_VIEWER, &viewer);
	const char *granted[] = {place.site.id};
	assert_store_result(store->ops->user_sites_set(store, viewer.id, granted, 1), STORE_OK);
	assert_store_result(store->ops->site_hours_put(store, place.site.id, "{\"monday\":[]}", CONTRACT_TIME),
	                    STORE_OK);
	assert_store_result(store->ops->site_exception_put(store, place.site.id, "2030-01-01", "[]", CONTRACT_TIME, 10),
	                    STORE_OK);

	assert_store_result(store->ops->site_delete(store, place.site.id, CONTRACT_ORIGIN), STORE_OK);
	struct site read;
	assert_store_result(store->ops->site_get(store, place.site.id, &read), STORE_NOT_FOUND);
	assert_store_result(store->ops->site_delete(store, place.site.id, CONTRACT_ORIGIN), STORE_NOT_FOUND);
	assert_store_result(store->ops->user_site_granted(store, viewer.id, place.site.id), STORE_NOT_FOUND);
	int count = 0;
	assert_store_result(store->ops->user_sites_list(store, viewer.id, count_site_id, &count), STORE_OK);
	assert_int_equal(count, 0);
	char *json = NULL;
	assert_store_result(store->ops->site_hours_get(store, place.site.id, &json), STORE_NOT_FOUND);
	assert_store_result(store->ops->site_exception_list(store, place.site.id, count_exception, &count), STORE_OK);
	assert_int_equal(count, 0);
	/* the organisation has nothing left */
	assert_store_result(store->ops->user_delete(store, viewer.id, 0), STORE_OK);
	assert_store_result(store->ops->organisation_delete(store, place.organisation.id), STORE_OK);
}

static void test_site_delete_with_cameras_is_conflict(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct camera camera, changed;
	contract_add_claimed_camera(store, &place.site, &camera);
	assert_store_result(store->ops->site_delete(store, place.site.id, CONTRACT_ORIGIN), STORE_CONFLICT);
	assert_store_result(store->ops->camera_set_state(store, camera.id, CAMERA_RUNNING, CAMERA_PAUSED,
	                                                 CONTRACT_TIME + 20, CONTRACT_ORIGIN, &changed),
	                    STORE_OK);
	assert_store_result(store->ops->site_delete(store, place.site.id, CONTRACT_ORIGIN), STORE_CONFLICT);
	struct site read;
	assert_store_result(store->ops->site_get(store, place.site.id, &read), STORE_OK);
}

static void test_site_delete_with_only_decommissioned_cameras_releases_them(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct camera camera, changed, read_camera;
	contract_add_claimed_camera(store, &place.site, &camera);
	assert_store_result(store->ops->camera_set_state(store, camera.id, CAMERA_RUNNING, CAMERA_DECOMMISSIONED,
	                                                 CONTRACT_TIME + 30, CONTRACT_ORIGIN, &changed),
	                    STORE_OK);
	assert_string_equal(changed.site_id, place.site.id); /* a decommissioned camera keeps its site ... */
	assert_store_result(store->ops->camera_get(store, camera.id, &read_camera), STORE_OK); /* (now in memory) */
	assert_store_result(store->ops->site_delete(store, place.site.id, CONTRACT_ORIGIN), STORE_OK);
	struct site read;
	assert_store_result(store->ops->site_get(store, place.site.id, &read), STORE_NOT_FOUND);
	/* ... until the site goes: then it keeps its organisation, position and state, not the site */
	assert_store_result(store->ops->camera_get(store, camera.id, &read_camera), STORE_OK);
	assert_string_equal(read_camera.site_id, "");
	assert_string_equal(read_camera.organisation_id, place.organisation.id);
	assert_string_equal(read_camera.camera_position_id, camera.camera_position_id);
	assert_int_equal(read_camera.state, CAMERA_DECOMMISSIONED);
	/* the camera still belongs to the organisation */
	assert_store_result(store->ops->organisation_delete(store, place.organisation.id), STORE_CONFLICT);
	/* and the change has its event: camera.updated naming the site it left */
	struct event_filter filter = {.type_mask = EVENT_TYPE_BIT(EVENT_CAMERA_UPDATED)};
	snprintf(filter.camera_id, sizeof(filter.camera_id), "%s", camera.id);
	struct contract_events listing = {0};
	contract_list_events(store, &filter, &listing);
	assert_int_equal(listing.count, 1);
	assert_string_equal(listing.events[0].record.site_id, "");
	json_t *change = json_object_get(json_object_get(listing.events[0].data, "changes"), "siteId");
	assert_string_equal(json_string_value(json_object_get(change, "old")), place.site.id);
	assert_true(json_is_null(json_object_get(change, "new")));
	assert_int_equal(json_object_size(json_object_get(listing.events[0].data, "changes")), 1);
	contract_events_free(&listing);
}

static void test_site_delete_after_the_camera_moved_away(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place from, to;
	contract_add_place(store, &from);
	contract_add_place(store, &to);
	struct camera camera, moved;
	contract_add_claimed_camera(store, &from.site, &camera);
	struct camera_placement placement = contract_placement(&to.site, CONTRACT_TIME + 50);
	assert_store_result(
	    store->ops->camera_move(store, camera.id, CAMERA_RUNNING, &placement, CONTRACT_ORIGIN, &moved), STORE_OK);
	/* the camera's past position at the first site does not hold the site or its organisation */
	assert_store_result(store->ops->site_delete(store, from.site.id, CONTRACT_ORIGIN), STORE_OK);
	assert_store_result(store->ops->organisation_delete(store, from.organisation.id), STORE_OK);
	assert_store_result(store->ops->site_delete(store, to.site.id, CONTRACT_ORIGIN), STORE_CONFLICT);
}

struct contract_tests contract_directory_tests(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_organisation_round_trip),
	    cmocka_unit_test(test_organisation_duplicate_id_is_conflict),
	    cmocka_unit_test(test_organisation_get_unknown_is_not_found),
	    cmocka_unit_test(test_organisation_list_orders_by_creation_then_id),
	    cmocka_unit_test(test_organisation_list_stops_when_asked),
	    cmocka_unit_test(test_organisation_update_changes_the_name_only),
	    cmocka_unit_test(test_organisation_delete_unused),
	    cmocka_unit_test(test_organisation_delete_in_use_is_conflict),
	    cmocka_unit_test(test_site_round_trip_and_conflicts),
	    cmocka_unit_test(test_site_list_filters_and_order),
	    cmocka_unit_test(test_site_update_changes_name_and_time_zone_only),
	    cmocka_unit_test(test_site_delete_takes_grants_and_hours_with_it),
	    cmocka_unit_test(test_site_delete_with_cameras_is_conflict),
	    cmocka_unit_test(test_site_delete_with_only_decommissioned_cameras_releases_them),
	    cmocka_unit_test(test_site_delete_after_the_camera_moved_away),
	};
	return CONTRACT_TESTS(tests);
}
