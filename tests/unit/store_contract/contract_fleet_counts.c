/* The store contract: the fleet's counts for /metrics — cameras by state, online and organisation,
 * asynchronous requests by kind and status — on a new, empty store, so that every count is exact. */
#include <stdio.h>
#include <string.h>

#include "contract.h"

#define GROUPS_MAX 16

struct camera_groups {
	size_t count;
	struct {
		enum camera_state state;
		bool online;
		int64_t count;
		char organisation_id[UUID_BUFFER_SIZE];
	} groups[GROUPS_MAX];
};

static void collect_group(void *context, enum camera_state state, bool online, int64_t count,
                          const char *organisation_id)
{
	struct camera_groups *groups = context;
	assert_true(groups->count < GROUPS_MAX);
	groups->groups[groups->count].state = state;
	groups->groups[groups->count].online = online;
	groups->groups[groups->count].count = count;
	snprintf(groups->groups[groups->count].organisation_id, UUID_BUFFER_SIZE, "%s", organisation_id);
	groups->count++;
}

/* The count of the group (0 when the store handed out none), failing when it came twice. */
static int64_t group_count(const struct camera_groups *groups, enum camera_state state, bool online,
                           const char *organisation_id)
{
	int64_t found = 0;
	int times = 0;
	for (size_t i = 0; i < groups->count; i++)
		if (groups->groups[i].state == state && groups->groups[i].online == online &&
		    strcmp(groups->groups[i].organisation_id, organisation_id) == 0) {
			found = groups->groups[i].count;
			times++;
		}
	assert_true(times <= 1);
	return found;
}

static struct heartbeat beat(const struct camera *camera, int64_t at, bool shutting_down)
{
	struct heartbeat heartbeat = {.at = at, .shutting_down = shutting_down};
	snprintf(heartbeat.camera_id, sizeof(heartbeat.camera_id), "%s", camera->id);
	return heartbeat;
}

static void test_camera_counts_by_state_online_and_organisation(void **state)
{
	struct store *store = contract_scratch_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct camera registered, online, shut_down, stale, paused;
	contract_add_camera(store, &registered);
	contract_add_claimed_camera(store, &place.site, &online);
	contract_add_claimed_camera(store, &place.site, &shut_down);
	contract_add_claimed_camera(store, &place.site, &stale);
	contract_add_claimed_camera(store, &place.site, &paused);
	assert_store_result(store->ops->camera_set_state(store, paused.id, CAMERA_RUNNING, CAMERA_PAUSED,
	                                                 CONTRACT_TIME + 1, CONTRACT_ORIGIN, &paused),
	                    STORE_OK);
	struct heartbeat beats[] = {beat(&online, CONTRACT_TIME + 100, false),
	                            beat(&shut_down, CONTRACT_TIME + 100, true),
	                            beat(&stale, CONTRACT_TIME + 10, false), beat(&paused, CONTRACT_TIME + 100, false)};
	struct heartbeat_outcome outcomes[4];
	assert_store_result(store->ops->camera_heartbeats_write(store, beats, 4, outcomes), STORE_OK);

	struct camera_groups groups = {0};
	assert_store_result(store->ops->camera_count_groups(store, CONTRACT_TIME + 50, false, collect_group, &groups),
	                    STORE_OK);
	assert_int_equal(groups.count, 4); /* only the groups that have cameras */
	assert_int_equal(group_count(&groups, CAMERA_REGISTERED, false, ""), 1);
	assert_int_equal(group_count(&groups, CAMERA_RUNNING, true, ""), 1);
	assert_int_equal(group_count(&groups, CAMERA_RUNNING, false, ""), 2); /* shut down; last seen too long ago */
	assert_int_equal(group_count(&groups, CAMERA_PAUSED, true, ""), 1);

	memset(&groups, 0, sizeof(groups));
	assert_store_result(store->ops->camera_count_groups(store, CONTRACT_TIME + 50, true, collect_group, &groups),
	                    STORE_OK);
	assert_int_equal(groups.count, 4);
	assert_int_equal(group_count(&groups, CAMERA_REGISTERED, false, ""), 1);
	assert_int_equal(group_count(&groups, CAMERA_RUNNING, true, place.organisation.id), 1);
	assert_int_equal(group_count(&groups, CAMERA_RUNNING, false, place.organisation.id), 2);
	assert_int_equal(group_count(&groups, CAMERA_PAUSED, true, place.organisation.id), 1);

	/* online_since later than every heartbeat: nobody online */
	memset(&groups, 0, sizeof(groups));
	assert_store_result(store->ops->camera_count_groups(store, CONTRACT_TIME + 101, false, collect_group, &groups),
	                    STORE_OK);
	assert_int_equal(group_count(&groups, CAMERA_RUNNING, false, ""), 3);
	assert_int_equal(group_count(&groups, CAMERA_PAUSED, false, ""), 1);
}

static struct async_request request_of(enum async_kind kind, enum async_status status)
{
	struct async_request request;
	memset(&request, 0, sizeof(request));
	contract_new_id(request.id);
	contract_new_id(request.camera_id);
	request.kind = kind;
	request.status = status;
	if (kind == ASYNC_REGISTER_CAMERA)
		snprintf(request.serial_number, sizeof(request.serial_number), "SN-%s", request.camera_id);
	else
		snprintf(request.new_state, sizeof(request.new_state), "claimed_paused");
	request.created_at = request.updated_at = CONTRACT_TIME;
	return request;
}

static void test_async_counts_by_kind_and_status(void **state)
{
	struct store *store = contract_scratch_store(state);
	const struct {
		enum async_kind kind;
		enum async_status status;
	} made[] = {{ASYNC_REGISTER_CAMERA, ASYNC_CREATED},
	            {ASYNC_REGISTER_CAMERA, ASYNC_CREATED},
	            {ASYNC_REGISTER_CAMERA, ASYNC_SUCCEEDED},
	            {ASYNC_PUT_CAMERA_STATE, ASYNC_FAILED},
	            {ASYNC_PUT_CAMERA_STATE, ASYNC_CREATED}};
	for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++) {
		struct async_request request = request_of(made[i].kind, made[i].status);
		assert_store_result(store->ops->async_insert(store, &request), STORE_OK);
	}
	int64_t counts[ASYNC_KIND_COUNT][ASYNC_STATUS_COUNT];
	memset(counts, 0x5a, sizeof(counts));
	assert_store_result(store->ops->async_count_groups(store, counts), STORE_OK);
	const int64_t expected[ASYNC_KIND_COUNT][ASYNC_STATUS_COUNT] = {
	    [ASYNC_REGISTER_CAMERA] = {[ASYNC_CREATED] = 2, [ASYNC_SUCCEEDED] = 1},
	    [ASYNC_PUT_CAMERA_STATE] = {[ASYNC_CREATED] = 1, [ASYNC_FAILED] = 1},
	};
	for (int kind = ASYNC_REGISTER_CAMERA; kind < ASYNC_KIND_COUNT; kind++)
		for (int status = 0; status < ASYNC_STATUS_COUNT; status++)
			assert_int_equal(counts[kind][status], expected[kind][status]);
}

struct contract_tests contract_fleet_count_tests(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_camera_counts_by_state_online_and_organisation),
	    cmocka_unit_test(test_async_counts_by_kind_and_status),
	};
	return CONTRACT_TESTS(tests);
}
