/* Store contract: cameras registered and read — the registered row, id and serial conflicts, reads
 * by id, by serial (case-sensitive) and many at once (repeats, missing ids), and the list: every
 * filter (organisation, site, granted users, state mask), id order, the after/limit cursor. */
#include "contract.h"

#include <stdio.h>
#include <string.h>

static void test_camera_register_then_read(void **state)
{
	struct store *store = contract_store(state);
	char id[UUID_BUFFER_SIZE], serial[CAMERA_SERIAL_MAX + 1];
	contract_new_id(id);
	memset(serial, 'S', CAMERA_SERIAL_MAX - UUID_TEXT_LENGTH); /* the longest serial */
	snprintf(serial + CAMERA_SERIAL_MAX - UUID_TEXT_LENGTH, UUID_BUFFER_SIZE, "%s", id);
	assert_store_result(store->ops->camera_register(store, id, serial, CONTRACT_TIME, CONTRACT_ORIGIN), STORE_OK);
	struct camera expected = contract_registered_camera(id, serial);
	assert_int_equal(strlen(expected.serial_number), CAMERA_SERIAL_MAX);
	assert_stored_camera(store, &expected);
	struct device_camera device;
	assert_store_result(store->ops->device_camera_get(store, id, &device), STORE_OK);
	assert_int_equal(device.state, CAMERA_REGISTERED);
	assert_string_equal(device.organisation_id, "");
}

static void test_camera_register_conflicts(void **state)
{
	struct store *store = contract_store(state);
	struct camera camera;
	contract_add_camera(store, &camera);
	contract_prime_camera(store, camera.id);
	char other_id[UUID_BUFFER_SIZE], other_serial[CAMERA_SERIAL_MAX + 1];
	contract_new_id(other_id);
	snprintf(other_serial, sizeof(other_serial), "SN-%s", other_id);
	assert_store_result(store->ops->camera_register(store, camera.id, other_serial, CONTRACT_TIME, CONTRACT_ORIGIN),
	                    STORE_CONFLICT);
	assert_store_result(
	    store->ops->camera_register(store, other_id, camera.serial_number, CONTRACT_TIME, CONTRACT_ORIGIN),
	    STORE_CONFLICT);
	assert_stored_camera(store, &camera);
	struct camera read;
	assert_store_result(store->ops->camera_get(store, other_id, &read), STORE_NOT_FOUND);
	assert_store_result(store->ops->camera_get_by_serial(store, other_serial, &read), STORE_NOT_FOUND);
}

static void test_camera_serials_are_case_sensitive(void **state)
{
	struct store *store = contract_store(state);
	struct camera upper;
	contract_add_camera(store, &upper); /* "SN-<id>" */
	char lower_id[UUID_BUFFER_SIZE], lower_serial[CAMERA_SERIAL_MAX + 1];
	contract_new_id(lower_id);
	snprintf(lower_serial, sizeof(lower_serial), "sn-%s", upper.id);
	assert_store_result(store->ops->camera_register(store, lower_id, lower_serial, CONTRACT_TIME, CONTRACT_ORIGIN),
	                    STORE_OK);
	struct camera read;
	assert_store_result(store->ops->camera_get_by_serial(store, lower_serial, &read), STORE_OK);
	assert_string_equal(read.id, lower_id);
	assert_store_result(store->ops->camera_get_by_serial(store, upper.serial_number, &read), STORE_OK);
	assert_string_equal(read.id, upper.id);
}

static void test_camera_get_many_with_repeats_and_missing_ids(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct camera registered, claimed;
	contract_add_camera(store, &registered);
	contract_add_claimed_camera(store, &place.site, &claimed);
	contract_prime_camera(store, claimed.id);
	char missing[UUID_BUFFER_SIZE];
	contract_new_id(missing);
	const char *ids[] = {claimed.id, missing, registered.id, claimed.id};
	struct camera read[4];
	bool found[4] = {true, true, false, false};
	memset(read, 0, sizeof(read));
	assert_store_result(store->ops->camera_get_many(store, ids, 4, read, found), STORE_OK);
	assert_true(found[0]);
	assert_false(found[1]);
	assert_true(found[2]);
	assert_true(found[3]);
	assert_camera_equal(&claimed, &read[0]);
	assert_camera_equal(&registered, &read[2]);
	assert_camera_equal(&claimed, &read[3]);
	assert_store_result(store->ops->camera_get_many(store, ids, 0, read, found), STORE_OK);
	const char *only_missing[] = {missing};
	found[0] = true;
	assert_store_result(store->ops->camera_get_many(store, only_missing, 1, read, found), STORE_OK);
	assert_false(found[0]);
	assert_store_result(store->ops->camera_get(store, missing, &read[0]), STORE_NOT_FOUND);
}

/* ---- the list ----------------------------------------------------------------------------------- */

/* Cameras of two organisations at three sites in every state, and viewers granted some sites. */
struct fleet {
	struct contract_place one, two;
	struct site one_b; /* a second site of organisation one */
	struct camera running_a, paused_b, decommissioned_a, running_two, registered;
	struct user viewer_a, viewer_ab, viewer_none;
	const struct camera *cameras[5];
	const char *own[5];
};

static void add_fleet(struct store *store, struct fleet *fleet)
{
	memset(fleet, 0, sizeof(*fleet));
	contract_add_place(store, &fleet->one);
	contract_add_place(store, &fleet->two);
	contract_add_site(store, fleet->one.organisation.id, &fleet->one_b);
	struct camera changed;
	contract_add_claimed_camera(store, &fleet->one.site, &fleet->running_a);
	contract_add_claimed_camera(store, &fleet->one_b, &changed);
	assert_store_result(store->ops->camera_set_state(store, changed.id, CAMERA_RUNNING, CAMERA_PAUSED,
	                                                 CONTRACT_TIME + 20, CONTRACT_ORIGIN, &fleet->paused_b),
	                    STORE_OK);
	contract_add_claimed_camera(store, &fleet->one.site, &changed);
	assert_store_result(store->ops->camera_set_state(store, changed.id, CAMERA_RUNNING, CAMERA_DECOMMISSIONED,
	                                                 CONTRACT_TIME + 20, CONTRACT_ORIGIN, &fleet->decommissioned_a),
	                    STORE_OK);
	contract_add_claimed_camera(store, &fleet->two.site, &fleet->running_two);
	contract_add_camera(store, &fleet->registered);
	const struct camera *cameras[] = {&fleet->running_a, &fleet->paused_b, &fleet->decommissioned_a,
	                                  &fleet->running_two, &fleet->registered};
	for (int i = 0; i < 5; i++) {
		fleet->cameras[i] = cameras[i];
		fleet->own[i] = cameras[i]->id;
	}
	contract_add_user(store, fleet->one.organisation.id, ROLE_VIEWER, &fleet->viewer_a);
	contract_add_user(store, fleet->one.organisation.id, ROLE_VIEWER, &fleet->viewer_ab);
	contract_add_user(store, fleet->one.organisation.id, ROLE_VIEWER, &fleet->viewer_none);
	const char *a[] = {fleet->one.site.id}, *ab[] = {fleet->one.site.id, fleet->one_b.id};
	assert_store_result(store->ops->user_sites_set(store, fleet->viewer_a.id, a, 1), STORE_OK);
	assert_store_result(store->ops->user_sites_set(store, fleet->viewer_ab.id, ab, 2), STORE_OK);
}

struct camera_listing {
	struct contract_ids ids;
	const struct fleet *fleet; /* listed rows of the fleet are compared with it, field by field */
	char first[UUID_BUFFER_SIZE], previous[UUID_BUFFER_SIZE];
	bool out_of_order;
};

static int list_camera(void *context, const struct camera *camera)
{
	struct camera_listing *listing = context;
	if (listing->ids.seen == 0)
		snprintf(listing->first, sizeof(listing->first), "%s", camera->id);
	else if (strcmp(camera->id, listing->previous) <= 0)
		listing->out_of_order = true;
	snprintf(listing->previous, sizeof(listing->previous), "%s", camera->id);
	for (int i = 0; listing->fleet != NULL && i < 5; i++)
		if (strcmp(camera->id, listing->fleet->cameras[i]->id) == 0)
			assert_camera_equal(listing->fleet->cameras[i], camera);
	return contract_ids_add(&listing->ids, camera->id);
}

/* Lists with filter and fails unless the fleet's cameras listed are exactly expected (count of
 * them), in id order. */
static void listed_are(struct store *store, const struct fleet *fleet, const struct camera_filter *filter,
                       const struct camera *const *expected, size_t count, const char *file, int line)
{
	char sorted[5][UUID_BUFFER_SIZE];
	const char *expected_ids[5];
	assert_true(count <= 5);
	for (size_t i = 0; i < count; i++)
		snprintf(sorted[i], sizeof(sorted[i]), "%s", expected[i]->id);
	contract_sort_ids(sorted, count);
	for (size_t i = 0; i < count; i++)
		expected_ids[i] = sorted[i];
	struct camera_listing listing = {.ids = {.own = fleet->own, .own_count = 5}, .fleet = fleet};
	assert_store_result(store->ops->camera_list(store, filter, list_camera, &listing), STORE_OK);
	assert_false(listing.out_of_order);
	contract_assert_ids(&listing.ids, expected_ids, count, file, line);
}
#define assert_listed(store, fleet, filter, ...) listed_are((store), (fleet), (filter), __VA_ARGS__, __FILE__, __LINE__)

#define LISTED(...)                                                                                                    \
	(const struct camera *const[]){__VA_ARGS__}, sizeof((const struct camera *[]){__VA_ARGS__}) / sizeof(void *)

static void test_camera_list_by_organisation_and_site(void **state)
{
	struct store *store = contract_store(state);
	struct fleet fleet;
	add_fleet(store, &fleet);
	struct camera_filter filter = {0};
	snprintf(filter.organisation_id, sizeof(filter.organisation_id), "%s", fleet.one.organisation.id);
	assert_listed(store, &fleet, &filter, LISTED(&fleet.running_a, &fleet.paused_b, &fleet.decommissioned_a));
	snprintf(filter.site_id, sizeof(filter.site_id), "%s", fleet.one.site.id);
	assert_listed(store, &fleet, &filter, LISTED(&fleet.running_a, &fleet.decommissioned_a));
	filter = (struct camera_filter){0};
	snprintf(filter.site_id, sizeof(filter.site_id), "%s", fleet.one_b.id);
	assert_listed(store, &fleet, &filter, LISTED(&fleet.paused_b));
	snprintf(filter.organisation_id, sizeof(filter.organisation_id), "%s", fleet.two.organisation.id);
	assert_listed(store, &fleet, &filter, NULL, 0);
	filter = (struct camera_filter){0};
	assert_listed(
	    store, &fleet, &filter,
	    LISTED(&fleet.running_a, &fleet.paused_b, &fleet.decommissioned_a, &fleet.running_two, &fleet.registered));
}

static void test_camera_list_by_state(void **state)
{
	struct store *store = contract_store(state);
	struct fleet fleet;
	add_fleet(store, &fleet);
	struct camera_filter filter = {.state_mask = CAMERA_STATE_BIT(CAMERA_RUNNING)};
	assert_listed(store, &fleet, &filter, LISTED(&fleet.running_a, &fleet.running_two));
	filter.state_mask = CAMERA_STATE_BIT(CAMERA_REGISTERED);
	assert_listed(store, &fleet, &filter, LISTED(&fleet.registered));
	filter.state_mask = CAMERA_STATE_BIT(CAMERA_DECOMMISSIONED) | CAMERA_STATE_BIT(CAMERA_PAUSED);
	assert_listed(store, &fleet, &filter, LISTED(&fleet.paused_b, &fleet.decommissioned_a));
	snprintf(filter.site_id, sizeof(filter.site_id), "%s", fleet.one.site.id);
	assert_listed(store, &fleet, &filter, LISTED(&fleet.decommissioned_a));
	filter =
	    (struct camera_filter){.state_mask = CAMERA_STATE_BIT(CAMERA_RUNNING) | CAMERA_STATE_BIT(CAMERA_PAUSED)};
	snprintf(filter.organisation_id, sizeof(filter.organisation_id), "%s", fleet.one.organisation.id);
	assert_listed(store, &fleet, &filter, LISTED(&fleet.running_a, &fleet.paused_b));
}

static void test_camera_list_by_granted_users(void **state)
{
	struct store *store = contract_store(state);
	struct fleet fleet;
	add_fleet(store, &fleet);
	struct camera_filter filter = {0};
	snprintf(filter.granted_user_id[0], UUID_BUFFER_SIZE, "%s", fleet.viewer_a.id);
	assert_listed(store, &fleet, &filter, LISTED(&fleet.running_a, &fleet.decommissioned_a));
	snprintf(filter.granted_user_id[0], UUID_BUFFER_SIZE, "%s", fleet.viewer_ab.id);
	assert_listed(store, &fleet, &filter, LISTED(&fleet.running_a, &fleet.paused_b, &fleet.decommissioned_a));
	/* both apply: the sites granted to both users */
	snprintf(filter.granted_user_id[1], UUID_BUFFER_SIZE, "%s", fleet.viewer_a.id);
	assert_listed(store, &fleet, &filter, LISTED(&fleet.running_a, &fleet.decommissioned_a));
	filter.state_mask = CAMERA_STATE_BIT(CAMERA_RUNNING);
	assert_listed(store, &fleet, &filter, LISTED(&fleet.running_a));
	filter = (struct camera_filter){0};
	snprintf(filter.granted_user_id[1], UUID_BUFFER_SIZE, "%s", fleet.viewer_ab.id);
	snprintf(filter.site_id, sizeof(filter.site_id), "%s", fleet.one_b.id);
	assert_listed(store, &fleet, &filter, LISTED(&fleet.paused_b));
	filter = (struct camera_filter){0};
	snprintf(filter.granted_user_id[0], UUID_BUFFER_SIZE, "%s", fleet.viewer_none.id);
	struct camera_listing listing = {.fleet = &fleet};
	assert_store_result(store->ops->camera_list(store, &filter, list_camera, &listing), STORE_OK);
	assert_int_equal(listing.ids.seen, 0);
}

enum { PAGE_CAMERAS = 5 };

static void test_camera_list_pages_with_after_and_limit(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	char ids[PAGE_CAMERAS][UUID_BUFFER_SIZE];
	for (int i = 0; i < PAGE_CAMERAS; i++) {
		struct camera camera;
		contract_add_claimed_camera(store, &place.site, &camera);
		snprintf(ids[i], sizeof(ids[i]), "%s", camera.id);
	}
	contract_sort_ids(ids, PAGE_CAMERAS);
	const char *own[PAGE_CAMERAS] = {ids[0], ids[1], ids[2], ids[3], ids[4]};
	struct camera_filter filter = {.limit = 2};
	snprintf(filter.site_id, sizeof(filter.site_id), "%s", place.site.id);
	struct camera_listing listing = {.ids = {.own = own, .own_count = PAGE_CAMERAS}};
	assert_store_result(store->ops->camera_list(store, &filter, list_camera, &listing), STORE_OK);
	assert_ids(&listing.ids, ids[0], ids[1]);
	snprintf(filter.after_id, sizeof(filter.after_id), "%s", ids[1]);
	listing = (struct camera_listing){.ids = {.own = own, .own_count = PAGE_CAMERAS}};
	assert_store_result(store->ops->camera_list(store, &filter, list_camera, &listing), STORE_OK);
	assert_ids(&listing.ids, ids[2], ids[3]);
	snprintf(filter.after_id, sizeof(filter.after_id), "%s", ids[3]);
	listing = (struct camera_listing){.ids = {.own = own, .own_count = PAGE_CAMERAS}};
	assert_store_result(store->ops->camera_list(store, &filter, list_camera, &listing), STORE_OK);
	assert_ids(&listing.ids, ids[4]);
	snprintf(filter.after_id, sizeof(filter.after_id), "%s", ids[4]);
	listing = (struct camera_listing){.ids = {.own = own, .own_count = PAGE_CAMERAS}};
	assert_store_result(store->ops->camera_list(store, &filter, list_camera, &listing), STORE_OK);
	assert_int_equal(listing.ids.seen, 0);
	/* limit 0: every row; the callback may stop the listing */
	filter.after_id[0] = '\0';
	filter.limit = 0;
	listing = (struct camera_listing){.ids = {.own = own, .own_count = PAGE_CAMERAS}};
	assert_store_result(store->ops->camera_list(store, &filter, list_camera, &listing), STORE_OK);
	assert_ids(&listing.ids, ids[0], ids[1], ids[2], ids[3], ids[4]);
	listing = (struct camera_listing){.ids = {.own = own, .own_count = PAGE_CAMERAS, .stop_after = 3}};
	assert_store_result(store->ops->camera_list(store, &filter, list_camera, &listing), STORE_OK);
	assert_ids(&listing.ids, ids[0], ids[1], ids[2]);
	assert_int_equal(listing.ids.seen, 3);
	/* the same cursor over the whole fleet: ids greater than after, in order */
	filter = (struct camera_filter){.limit = 3};
	snprintf(filter.after_id, sizeof(filter.after_id), "%s", ids[2]);
	listing = (struct camera_listing){.ids = {.own = own, .own_count = PAGE_CAMERAS}};
	assert_store_result(store->ops->camera_list(store, &filter, list_camera, &listing), STORE_OK);
	assert_false(listing.out_of_order);
	assert_in_range(listing.ids.seen, 2, 3); /* ids[3] and ids[4] at least */
	assert_true(strcmp(listing.first, ids[2]) > 0);
}

struct contract_tests contract_camera_tests(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_camera_register_then_read),
	    cmocka_unit_test(test_camera_register_conflicts),
	    cmocka_unit_test(test_camera_serials_are_case_sensitive),
	    cmocka_unit_test(test_camera_get_many_with_repeats_and_missing_ids),
	    cmocka_unit_test(test_camera_list_by_organisation_and_site),
	    cmocka_unit_test(test_camera_list_by_state),
	    cmocka_unit_test(test_camera_list_by_granted_users),
	    cmocka_unit_test(test_camera_list_pages_with_after_and_limit),
	};
	return CONTRACT_TESTS(tests);
}
