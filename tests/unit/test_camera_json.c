/* The camera's JSON shape: every key of the seed, nulls for what is unset, metrics only when
 * asked, the online rule, and escaping of free text. Output is parsed back with jansson. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "domain/camera_json.h"

#define NOW 1700000000

static struct camera registered_camera(void)
{
	struct camera c;
	memset(&c, 0, sizeof(c));
	snprintf(c.id, sizeof(c.id), "497f6eca-6276-4993-bfeb-53cbbbba6f08");
	snprintf(c.serial_number, sizeof(c.serial_number), "SN-1");
	c.state = CAMERA_REGISTERED;
	return c;
}

static json_t *render(const struct camera *c, bool include_metrics, unsigned online_window)
{
	char text[CAMERA_JSON_MAX_LENGTH];
	size_t length = camera_json_write(c, include_metrics, NOW, online_window, text, sizeof(text));
	assert_true(length > 0);
	json_error_t error;
	json_t *value = json_loadb(text, length, JSON_REJECT_DUPLICATES, &error);
	assert_non_null(value);
	return value;
}

static void test_unclaimed_camera_has_nulls_and_zero_metrics(void **state)
{
	struct camera c = registered_camera();
	json_t *v = render(&c, true, 90);
	assert_int_equal(json_object_size(v), 18);
	const char *null_keys[] = {"name",        "direction1Alias",  "direction2Alias", "organisationId",
	                           "siteId",      "cameraPositionId", "claimedAt",       "lastSeenAt",
	                           "lastVideoAt", "reportedState"};
	for (size_t i = 0; i < sizeof(null_keys) / sizeof(null_keys[0]); i++)
		assert_true(json_is_null(json_object_get(v, null_keys[i])));
	assert_string_equal(json_string_value(json_object_get(v, "state")), "registered");
	assert_true(json_is_false(json_object_get(v, "isOnline")));
	assert_true(json_number_value(json_object_get(v, "videoBacklog")) == 0.0);
	json_decref(v);
}

static void test_metrics_are_left_out_when_not_asked_for(void **state)
{
	struct camera c = registered_camera();
	json_t *v = render(&c, false, 90);
	assert_int_equal(json_object_size(v), 14);
	assert_null(json_object_get(v, "encodedFramesProportion"));
	assert_null(json_object_get(v, "videoUploadLatency"));
	json_decref(v);
}

static void test_claimed_camera_shows_placement_and_times(void **state)
{
	struct camera c = registered_camera();
	c.state = CAMERA_PAUSED;
	snprintf(c.organisation_id, sizeof(c.organisation_id), "c9b3f279-e3b5-4204-ad99-646257417f98");
	snprintf(c.site_id, sizeof(c.site_id), "60189e9c-7d12-438c-b9ca-6998d9c364b1");
	snprintf(c.camera_position_id, sizeof(c.camera_position_id), "37eacd70-df6f-462c-b57e-ba61d0ee7150");
	c.claimed_at = 1566656122;
	c.has_name = true;
	snprintf(c.name, sizeof(c.name), "Entrance");
	c.encoded_frames_proportion = 0.25;
	c.network_transmit_rate = 125000;
	json_t *v = render(&c, true, 90);
	assert_string_equal(json_string_value(json_object_get(v, "state")), "paused");
	assert_string_equal(json_string_value(json_object_get(v, "claimedAt")), "2019-08-24T14:15:22Z");
	assert_string_equal(json_string_value(json_object_get(v, "name")), "Entrance");
	assert_string_equal(json_string_value(json_object_get(v, "siteId")), "60189e9c-7d12-438c-b9ca-6998d9c364b1");
	assert_true(json_number_value(json_object_get(v, "encodedFramesProportion")) == 0.25);
	assert_true(json_number_value(json_object_get(v, "networkTransmitRate")) == 125000.0);
	json_decref(v);
}

static void test_reported_state_is_what_the_camera_said(void **state)
{
	struct camera c = registered_camera();
	c.state = CAMERA_PAUSED;
	c.reported_state = CAMERA_REPORTED_RUNNING;
	json_t *v = render(&c, false, 90);
	assert_string_equal(json_string_value(json_object_get(v, "state")), "paused");
	assert_string_equal(json_string_value(json_object_get(v, "reportedState")), "running");
	json_decref(v);
	c.reported_state = CAMERA_REPORTED_PAUSED;
	v = render(&c, false, 90);
	assert_string_equal(json_string_value(json_object_get(v, "reportedState")), "paused");
	json_decref(v);
}

static void test_online_only_within_the_window_and_until_shutdown(void **state)
{
	struct camera c = registered_camera();
	c.last_seen_at = NOW - 90;
	assert_true(camera_is_online(&c, NOW, 90));
	c.last_seen_at = NOW - 91;
	assert_false(camera_is_online(&c, NOW, 90));
	c.last_seen_at = NOW;
	c.reported_offline = true;
	assert_false(camera_is_online(&c, NOW, 90));
	c.reported_offline = false;
	json_t *v = render(&c, true, 90);
	assert_true(json_is_true(json_object_get(v, "isOnline")));
	assert_string_equal(json_string_value(json_object_get(v, "lastSeenAt")), "2023-11-14T22:13:20Z");
	json_decref(v);
}

static void test_free_text_is_escaped(void **state)
{
	struct camera c = registered_camera();
	c.has_name = true;
	snprintf(c.name, sizeof(c.name), "say \"hi\"\\ \x01 é →");
	json_t *v = render(&c, true, 90);
	assert_string_equal(json_string_value(json_object_get(v, "name")), "say \"hi\"\\ \x01 é →");
	json_decref(v);
}

static void test_too_small_buffer_is_refused(void **state)
{
	struct camera c = registered_camera();
	char text[64];
	assert_int_equal(camera_json_write(&c, true, NOW, 90, text, sizeof(text)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_unclaimed_camera_has_nulls_and_zero_metrics),
	    cmocka_unit_test(test_metrics_are_left_out_when_not_asked_for),
	    cmocka_unit_test(test_claimed_camera_shows_placement_and_times),
	    cmocka_unit_test(test_reported_state_is_what_the_camera_said),
	    cmocka_unit_test(test_online_only_within_the_window_and_until_shutdown),
	    cmocka_unit_test(test_free_text_is_escaped),
	    cmocka_unit_test(test_too_small_buffer_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
