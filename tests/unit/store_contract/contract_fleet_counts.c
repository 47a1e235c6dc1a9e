/* The store contract: the fleet's counts for /metrics — cameras by state, online and organisation,
 * asynchronous requests by kind and status — and for GET /fleet-summary — cameras in a scope by
 * site, state and online — on a new, empty store, so that every count is exact. */
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

struct site_groups {
	size_t count;
	struct {
		char site_id[UUID_BUFFER_SIZE]; /* "" for no site */
		enum camera_state state;
		bool online;
		int64_t count;
	} groups[GROUPS_MAX];
};

static int collect_site_group(void *context, const char *site_id, enum camera_state state, bool online, int64_t count)
{
	struct site_groups *groups = context;
	assert_true(groups->count < GROUPS_MAX);
	snprintf(groups->groups[groups->count].site_id, UUID_BUFFER_SIZE, "%s", site_id != NULL ? site_id : "");
	groups->groups[groups->count].state = state;
	groups->groups[groups->count].online = online;
	groups->groups[groups->count].count = count;
	groups->count++;
	return 0;
}

/* The count of the group (0 when the store handed out none), failing when it came twice. */
static int64_t site_group_count(const struct site_groups *groups, const char *site_id, enum camera_state state,
                                bool online)
{
	int64_t found = 0;
	int times = 0;
	for (size_t i = 0; i < groups->count; i++)
		if (strcmp(groups->groups[i].site_id, site_id) == 0 && groups->groups[i].state == state &&
		    groups->groups[i].online == online) {
			found = groups->groups[i].count;
			times++;
		}
	assert_true(times <= 1);
	return found;
}

/* Sites in id order, each site's groups together, the cameras at no site ("") last. */
static void assert_sites_in_order(const struct site_groups *groups)
{
	for (size_t i = 1; i < groups->count; i++) {
		const char *before = groups->groups[i - 1].site_id, *site = groups->groups[i].site_id;
		if (site[0] != '\0')
			assert_true(before[0] != '\0' && strcmp(before, site) <= 0);
	}
}

static struct site_groups site_groups_of(struct store *store, const struct camera_filter *scope)
{
	struct site_groups groups = {0};
	assert_store_result(store->ops->camera_site_count_groups(store, scope, collect_site_group, &groups), STORE_OK);
	assert_sites_in_order(&groups);
	return groups;
}

static void test_camera_site_counts_follow_the_scope(void **state)
{
	struct store *store = contract_scratch_store(state);
	struct contract_place place, other_place;
	contract_add_place(store, &place);
	contract_add_place(store, &other_place);
	struct site second;
	contract_add_site(store, place.organisation.id, &second);
	struct camera registered, online, stale, paused, second_online, second_gone, elsewhere;
	contract_add_camera(store, &registered);
	contract_add_claimed_camera(store, &place.site, &online);
	contract_add_claimed_camera(store, &place.site, &stale);
	contract_add_claimed_camera(store, &place.site, &paused);
	contract_add_claimed_camera(store, &second, &second_online);
	contract_add_claimed_camera(store, &second, &second_gone);
	contract_add_claimed_camera(store, &other_place.site, &elsewhere);
	assert_store_result(store->ops->camera_set_state(store, paused.id, CAMERA_RUNNING, CAMERA_PAUSED,
	                                                 CONTRACT_TIME + 1, CONTRACT_ORIGIN, &paused),
	                    STORE_OK);
	assert_store_result(store->ops->camera_set_state(store, second_gone.id, CAMERA_RUNNING, CAMERA_DECOMMISSIONED,
	                                                 CONTRACT_TIME + 1, CONTRACT_ORIGIN, &second_gone),
	                    STORE_OK);
	struct heartbeat beats[] = {beat(&online, CONTRACT_TIME + 100, false), beat(&stale, CONTRACT_TIME + 10, false),
	                            beat(&second_online, CONTRACT_TIME + 100, false),
	                            beat(&elsewhere, CONTRACT_TIME + 100, false)};
	struct heartbeat_outcome outcomes[4];
	assert_store_result(store->ops->camera_heartbeats_write(store, beats, 4, outcomes), STORE_OK);
	const unsigned shown = CAMERA_STATE_BIT(CAMERA_RUNNING) | CAMERA_STATE_BIT(CAMERA_PAUSED);

	/* the whole fleet, running and paused */
	struct camera_filter scope = {.state_mask = shown, .online_since = CONTRACT_TIME + 50};
	struct site_groups groups = site_groups_of(store, &scope);
	assert_int_equal(groups.count, 5);
	assert_int_equal(site_group_count(&groups, place.site.id, CAMERA_RUNNING, true), 1);
	assert_int_equal(site_group_count(&groups, place.site.id, CAMERA_RUNNING, false), 1);
	assert_int_equal(site_group_count(&groups, place.site.id, CAMERA_PAUSED, false), 1);
	assert_int_equal(site_group_count(&groups, second.id, CAMERA_RUNNING, true), 1);
	assert_int_equal(site_group_count(&groups, other_place.site.id, CAMERA_RUNNING, true), 1);

	/* one organisation: the other's site is not there */
	snprintf(scope.organisation_id, sizeof(scope.organisation_id), "%s", place.organisation.id);
	groups = site_groups_of(store, &scope);
	assert_int_equal(groups.count, 4);
	assert_int_equal(site_group_count(&groups, other_place.site.id, CAMERA_RUNNING, true), 0);

	/* a viewer granted the second site only; then none */
	struct user viewer;
	contract_add_user(store, place.organisation.id, ROLE_VIEWER, &viewer);
	const char *granted[] = {second.id};
	assert_store_result(store->ops->user_sites_set(store, viewer.id, granted, 1), STORE_OK);
	snprintf(scope.granted_user_id[0], sizeof(scope.granted_user_id[0]), "%s", viewer.id);
	groups = site_groups_of(store, &scope);
	assert_int_equal(groups.count, 1);
	assert_int_equal(site_group_count(&groups, second.id, CAMERA_RUNNING, true), 1);
	assert_store_result(store->ops->user_sites_set(store, viewer.id, NULL, 0), STORE_OK);
	groups = site_groups_of(store, &scope);
	assert_int_equal(groups.count, 0);

	/* every state: the decommissioned camera, and the registered one at no site, last */
	struct camera_filter everything = {.online_since = CONTRACT_TIME + 50};
	groups = site_groups_of(store, &everything);
	assert_int_equal(groups.count, 7);
	assert_int_equal(site_group_count(&groups, second.id, CAMERA_DECOMMISSIONED, false), 1);
	assert_int_equal(site_group_count(&groups, "", CAMERA_REGISTERED, false), 1);
	assert_string_equal(groups.groups[groups.count - 1].site_id, "");
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
	    cmocka_unit_test(test_camera_site_counts_follow_the_scope),
	    cmocka_unit_test(test_async_counts_by_kind_and_status),
	};
	return CONTRACT_TESTS(tests);
}
