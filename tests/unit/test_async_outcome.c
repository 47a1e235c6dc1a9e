/* What asynchronous requests come to in words: registrations new, repeated and conflicting (the
 * conflict named, long serial numbers cut to fit), and state changes decided by the lifecycle. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "domain/async_outcome.h"

#define CAMERA "0b0e2f4a-6d1c-4c0e-9a57-3f3b6d1e2a10"

static void test_new_and_repeated_registrations_succeed(void **state)
{
	(void)state;
	char message[400];
	assert_true(registration_outcome(REGISTRATION_NEW, CAMERA, "SN-1", "", message, sizeof(message)));
	assert_string_equal(message, "camera registered");
	assert_true(registration_outcome(REGISTRATION_REPEATED, CAMERA, "SN-1", "SN-1", message, sizeof(message)));
	assert_string_equal(message, "camera already registered with this serial number; nothing changed");
}

static void test_a_taken_id_fails_naming_its_serial(void **state)
{
	(void)state;
	char message[400];
	assert_false(registration_outcome(REGISTRATION_ID_TAKEN, CAMERA, "SN-2", "SN-1", message, sizeof(message)));
	assert_string_equal(message, "camera " CAMERA " already exists with serial number 'SN-1', not 'SN-2'");
}

static void test_a_taken_serial_fails_naming_its_camera(void **state)
{
	(void)state;
	char message[400];
	assert_false(registration_outcome(REGISTRATION_SERIAL_TAKEN, "x", "SN-1", CAMERA, message, sizeof(message)));
	assert_string_equal(message, "serial number 'SN-1' already belongs to camera " CAMERA);
}

static void test_longest_serials_fit_the_message(void **state)
{
	(void)state;
	char serial[129], other[129], message[401];
	memset(serial, 's', 128);
	memset(other, 'o', 128);
	serial[128] = other[128] = '\0';
	assert_false(registration_outcome(REGISTRATION_ID_TAKEN, CAMERA, serial, other, message, sizeof(message)));
	assert_non_null(strstr(message, serial));
	assert_non_null(strstr(message, other));
}

static void test_state_changes_follow_the_lifecycle(void **state)
{
	(void)state;
	enum camera_state next = CAMERA_STATE_COUNT;
	assert_int_equal(state_change_decide(true, CAMERA_RUNNING, "claimed_paused", &next), STATE_CHANGE_DONE);
	assert_int_equal(next, CAMERA_PAUSED);
	assert_int_equal(state_change_decide(true, CAMERA_PAUSED, "claimed", &next), STATE_CHANGE_DONE);
	assert_int_equal(next, CAMERA_RUNNING);
	assert_int_equal(state_change_decide(true, CAMERA_REGISTERED, "claimed", &next), STATE_CHANGE_FORBIDDEN);
	assert_int_equal(state_change_decide(false, CAMERA_RUNNING, "claimed", &next), STATE_CHANGE_NO_CAMERA);
	assert_int_equal(state_change_decide(true, CAMERA_RUNNING, "paused", &next), STATE_CHANGE_BAD_STATE);
}

static void test_state_change_messages(void **state)
{
	(void)state;
	char message[400];
	assert_true(state_change_outcome(STATE_CHANGE_DONE, CAMERA_PAUSED, message, sizeof(message)));
	assert_string_equal(message, "camera is now paused");
	assert_false(state_change_outcome(STATE_CHANGE_FORBIDDEN, CAMERA_DECOMMISSIONED, message, sizeof(message)));
	assert_string_equal(message, "camera is decommissioned; only running or paused cameras can change state");
	assert_false(state_change_outcome(STATE_CHANGE_NO_CAMERA, CAMERA_RUNNING, message, sizeof(message)));
	assert_string_equal(message, "camera not found");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_new_and_repeated_registrations_succeed),
	    cmocka_unit_test(test_a_taken_id_fails_naming_its_serial),
	    cmocka_unit_test(test_a_taken_serial_fails_naming_its_camera),
	    cmocka_unit_test(test_longest_serials_fit_the_message),
	    cmocka_unit_test(test_state_changes_follow_the_lifecycle),
	    cmocka_unit_test(test_state_change_messages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
