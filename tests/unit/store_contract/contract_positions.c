/* Store contract: a camera's position history (camera_position_list) — every claim and move, newest
 * first also within one second, the closed ones with their end, narrowed to an organisation, to a
 * user's granted sites and to a limit. */
#include "contract.h"

#include <string.h>

static const unsigned CLAIMABLE = CAMERA_STATE_BIT(CAMERA_REGISTERED) | CAMERA_STATE_BIT(CAMERA_DECOMMISSIONED);

#define MAX_LISTED 8

struct listed {
	struct camera_position rows[MAX_LISTED];
	size_t count;
};

static int collect(void *context, const struct camera_position *position)
{
	struct listed *listed = context;
	if (listed->count >= MAX_LISTED)
		return -1;
	listed->rows[listed->count++] = *position;
	return 0;
}

static struct listed list(struct store *store, const char *camera_id, const char *organisation_id,
                          const char *granted_user_id, size_t limit)
{
	struct listed listed = {0};
	assert_store_result(store->ops->camera_position_list(store, camera_id, organisation_id, granted_user_id, limit,
	                                                     collect, &listed),
	                    STORE_OK);
	return listed;
}

static void assert_position(const struct camera_position *actual, const struct camera_placement *placement,
                            int64_t ended_at)
{
	assert_string_equal(actual->id, placement->camera_position_id);
	assert_string_equal(actual->organisation_id, placement->organisation_id);
	assert_string_equal(actual->site_id, placement->site_id);
	assert_int_equal(actual->started_at, placement->at);
	assert_int_equal(actual->ended_at, ended_at);
}

static void test_camera_positions_are_listed_newest_first_per_organisation_and_grant(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place first, second;
	contract_add_place(store, &first);
	contract_add_place(store, &second);
	struct site other_site;
	contract_add_site(store, first.organisation.id, &other_site);
	struct camera camera, out;
	contract_add_camera(store, &camera);
	/* claimed, moved and moved back within one second: the order still shows which came last */
	struct camera_placement claim = contract_placement(&first.site, CONTRACT_TIME + 10);
	struct camera_placement move = contract_placement(&other_site, CONTRACT_TIME + 10);
	struct camera_placement back = contract_placement(&first.site, CONTRACT_TIME + 10);
	assert_store_result(store->ops->camera_claim(store, camera.serial_number, CLAIMABLE, &claim, false, NULL,
	                                             CONTRACT_ORIGIN, &out),
	                    STORE_OK);
	assert_store_result(store->ops->camera_move(store, camera.id, CAMERA_RUNNING, &move, CONTRACT_ORIGIN, &out),
	                    STORE_OK);
	assert_store_result(store->ops->camera_move(store, camera.id, CAMERA_RUNNING, &back, CONTRACT_ORIGIN, &out),
	                    STORE_OK);
	assert_store_result(store->ops->camera_set_state(store, camera.id, CAMERA_RUNNING, CAMERA_DECOMMISSIONED,
	                                                 CONTRACT_TIME + 20, CONTRACT_ORIGIN, &out),
	                    STORE_OK);
	struct camera_placement reclaim = contract_placement(&second.site, CONTRACT_TIME + 30);
	assert_store_result(store->ops->camera_claim(store, camera.serial_number, CLAIMABLE, &reclaim, false, NULL,
	                                             CONTRACT_ORIGIN, &out),
	                    STORE_OK);

	struct listed all = list(store, camera.id, "", "", 100);
	assert_int_equal(all.count, 4);
	assert_position(&all.rows[0], &reclaim, 0);
	assert_position(&all.rows[1], &back, CONTRACT_TIME + 20); /* ended by the decommission */
	assert_position(&all.rows[2], &move, CONTRACT_TIME + 10);
	assert_position(&all.rows[3], &claim, CONTRACT_TIME + 10);

	struct listed now_owner = list(store, camera.id, second.organisation.id, "", 100);
	assert_int_equal(now_owner.count, 1);
	assert_position(&now_owner.rows[0], &reclaim, 0);
	struct listed earlier_owner = list(store, camera.id, first.organisation.id, "", 100);
	assert_int_equal(earlier_owner.count, 3);
	assert_position(&earlier_owner.rows[0], &back, CONTRACT_TIME + 20);

	struct user viewer;
	contract_add_user(store, first.organisation.id, ROLE_VIEWER, &viewer);
	const char *granted[] = {other_site.id};
	assert_store_result(store->ops->user_sites_set(store, viewer.id, granted, 1), STORE_OK);
	struct listed seen = list(store, camera.id, first.organisation.id, viewer.id, 100);
	assert_int_equal(seen.count, 1);
	assert_position(&seen.rows[0], &move, CONTRACT_TIME + 10);

	struct listed newest_two = list(store, camera.id, "", "", 2);
	assert_int_equal(newest_two.count, 2);
	assert_position(&newest_two.rows[1], &back, CONTRACT_TIME + 20);
}

static void test_camera_positions_of_a_camera_never_claimed_or_unknown_are_none(void **state)
{
	struct store *store = contract_store(state);
	struct camera camera;
	contract_add_camera(store, &camera);
	assert_int_equal(list(store, camera.id, "", "", 100).count, 0);
	char unknown[UUID_BUFFER_SIZE];
	contract_new_id(unknown);
	assert_int_equal(list(store, unknown, "", "", 100).count, 0);
}

struct contract_tests contract_position_tests(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_camera_positions_are_listed_newest_first_per_organisation_and_grant),
	    cmocka_unit_test(test_camera_positions_of_a_camera_never_claimed_or_unknown_are_none),
	};
	return CONTRACT_TESTS(tests);
}
