/* The camera lifecycle table: every action from every state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "domain/lifecycle.h"

static void expect_next(enum camera_state from, enum camera_action action, enum camera_state expected)
{
	enum camera_state next = CAMERA_STATE_COUNT;
	assert_int_equal(lifecycle_next_state(from, action, &next), LIFECYCLE_OK);
	assert_int_equal(next, expected);
}

static void expect_refused(enum camera_state from, enum camera_action action, enum lifecycle_result expected)
{
	enum camera_state next = CAMERA_STATE_COUNT;
	assert_int_equal(lifecycle_next_state(from, action, &next), expected);
	assert_int_equal(next, CAMERA_STATE_COUNT);
}

static void test_claim_from_registered_runs(void **state)
{
	expect_next(CAMERA_REGISTERED, CAMERA_ACTION_CLAIM, CAMERA_RUNNING);
}

static void test_claim_from_decommissioned_runs_again(void **state)
{
	expect_next(CAMERA_DECOMMISSIONED, CAMERA_ACTION_CLAIM, CAMERA_RUNNING);
}

static void test_claim_twice_is_conflict(void **state)
{
	expect_refused(CAMERA_RUNNING, CAMERA_ACTION_CLAIM, LIFECYCLE_CONFLICT);
	expect_refused(CAMERA_PAUSED, CAMERA_ACTION_CLAIM, LIFECYCLE_CONFLICT);
}

static void test_pause_and_resume_toggle(void **state)
{
	expect_next(CAMERA_RUNNING, CAMERA_ACTION_PAUSE, CAMERA_PAUSED);
	expect_next(CAMERA_PAUSED, CAMERA_ACTION_RUN, CAMERA_RUNNING);
}

static void test_same_state_is_idempotent(void **state)
{
	expect_next(CAMERA_RUNNING, CAMERA_ACTION_RUN, CAMERA_RUNNING);
	expect_next(CAMERA_PAUSED, CAMERA_ACTION_PAUSE, CAMERA_PAUSED);
}

static void test_decommission_from_claimed_states(void **state)
{
	expect_next(CAMERA_RUNNING, CAMERA_ACTION_DECOMMISSION, CAMERA_DECOMMISSIONED);
	expect_next(CAMERA_PAUSED, CAMERA_ACTION_DECOMMISSION, CAMERA_DECOMMISSIONED);
}

static void test_unclaimed_cameras_refuse_every_change(void **state)
{
	const enum camera_action actions[] = {CAMERA_ACTION_RUN, CAMERA_ACTION_PAUSE, CAMERA_ACTION_DECOMMISSION,
	                                      CAMERA_ACTION_MOVE, CAMERA_ACTION_PATCH};
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		expect_refused(CAMERA_REGISTERED, actions[i], LIFECYCLE_FORBIDDEN);
		expect_refused(CAMERA_DECOMMISSIONED, actions[i], LIFECYCLE_FORBIDDEN);
	}
}

static void test_move_and_patch_keep_the_state(void **state)
{
	expect_next(CAMERA_RUNNING, CAMERA_ACTION_MOVE, CAMERA_RUNNING);
	expect_next(CAMERA_PAUSED, CAMERA_ACTION_MOVE, CAMERA_PAUSED);
	expect_next(CAMERA_PAUSED, CAMERA_ACTION_PATCH, CAMERA_PAUSED);
}

static void test_state_names_round_trip(void **state)
{
	for (int s = 0; s < CAMERA_STATE_COUNT; s++) {
		enum camera_state parsed;
		assert_true(camera_state_from_name(camera_state_name((enum camera_state)s), &parsed));
		assert_int_equal(parsed, s);
	}
	enum camera_state parsed;
	assert_false(camera_state_from_name("Running", &parsed));
	assert_false(camera_state_from_name("claimed", &parsed));
	assert_false(camera_state_from_name(NULL, &parsed));
}

static void test_request_state_names_map_to_claimed_states(void **state)
{
	enum camera_state parsed;
	assert_true(camera_state_from_request_name("claimed", &parsed));
	assert_int_equal(parsed, CAMERA_RUNNING);
	assert_true(camera_state_from_request_name("claimed_paused", &parsed));
	assert_int_equal(parsed, CAMERA_PAUSED);
	assert_false(camera_state_from_request_name("running", &parsed));
	assert_false(camera_state_from_request_name("", &parsed));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_claim_from_registered_runs),
	    cmocka_unit_test(test_claim_from_decommissioned_runs_again),
	    cmocka_unit_test(test_claim_twice_is_conflict),
	    cmocka_unit_test(test_pause_and_resume_toggle),
	    cmocka_unit_test(test_same_state_is_idempotent),
	    cmocka_unit_test(test_decommission_from_claimed_states),
	    cmocka_unit_test(test_unclaimed_cameras_refuse_every_change),
	    cmocka_unit_test(test_move_and_patch_keep_the_state),
	    cmocka_unit_test(test_state_names_round_trip),
	    cmocka_unit_test(test_request_state_names_map_to_claimed_states),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
