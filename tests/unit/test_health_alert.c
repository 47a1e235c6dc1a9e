/* Health-alert decisions (domain/health_alert.h): when a camera counts as offline, when its alert
 * is due, what opening hours change, reminders, the way back, and when a whole site is down; and
 * the data of the four alert events (domain/health_alert_event.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "domain/health_alert.h"
#include "domain/health_alert_event.h"

#define SEEN    1000000 /* epoch seconds of the camera's last heartbeat */
#define SEEN_MS ((int64_t)SEEN * 1000)

/* 90 s window, 300 s delay, reminders every 600 s. */
static const struct alert_settings settings = {90, 300, 600};
static const struct alert_settings no_reminders = {90, 300, 0};
static const struct site_opening open_site = {.open = true};

static struct alert_camera running(enum alert_state alert_state)
{
	return (struct alert_camera){.state = CAMERA_RUNNING, .last_seen_at = SEEN, .alert_state = alert_state};
}

static void test_offline_once_the_window_has_passed_in_whole_seconds(void **state)
{
	struct alert_camera camera = running(ALERT_NONE);
	assert_int_equal(health_alert_offline_since_ms(&camera, 90), SEEN_MS + 90000);
	assert_false(health_alert_is_offline(&camera, 90, SEEN_MS + 90999)); /* isOnline: now - seen <= 90 */
	assert_true(health_alert_is_offline(&camera, 90, SEEN_MS + 91000));
}

static void test_shutting_down_is_offline_at_once(void **state)
{
	struct alert_camera camera = running(ALERT_NONE);
	camera.reported_offline = true;
	assert_int_equal(health_alert_offline_since_ms(&camera, 90), SEEN_MS);
	assert_true(health_alert_is_offline(&camera, 90, SEEN_MS));
	/* due at SEEN + 300 s and SEEN + 390 s, both rounded down to a 300 s bucket */
	assert_int_equal(health_alert_heartbeat_due_ms(SEEN, true, &settings), SEEN_MS + 200000);
	assert_int_equal(health_alert_heartbeat_due_ms(SEEN, false, &settings), SEEN_MS + 200000);
}

static void test_heartbeat_due_is_bucketed_but_never_before_offline(void **state)
{
	/* 13 heartbeats 30 s apart (6 minutes) move the rounded instant once, the exact one 12 times */
	int changes = 0;
	int64_t previous = health_alert_heartbeat_due_ms(SEEN, false, &settings);
	for (int64_t at = SEEN + 30; at <= SEEN + 360; at += 30) {
		int64_t due = health_alert_heartbeat_due_ms(at, false, &settings);
		assert_true(due >= (at + 90) * 1000 && due <= (at + 390) * 1000);
		changes += due != previous;
		previous = due;
	}
	assert_int_equal(changes, 1);
	/* a delay shorter than the bucket is the bucket: still never before the camera is offline */
	const struct alert_settings quick = {2, 2, 0};
	assert_int_equal(health_alert_heartbeat_due_ms(SEEN + 1, false, &quick), (SEEN + 5) * 1000 / 2000 * 2000);
	assert_true(health_alert_heartbeat_due_ms(SEEN + 1, true, &quick) >= (SEEN + 1) * 1000);
}

static void test_never_seen_or_not_running_never_alerts(void **state)
{
	struct alert_camera never = running(ALERT_NONE);
	never.last_seen_at = 0;
	assert_false(health_alert_is_offline(&never, 90, SEEN_MS * 2));
	struct alert_decision decision = health_alert_decide(&never, &settings, SEEN_MS * 2, &open_site);
	assert_int_equal(decision.action, ALERT_ACTION_WAIT);
	assert_int_equal(decision.next_at_ms, 0);
	struct alert_camera paused = running(ALERT_NONE);
	paused.state = CAMERA_PAUSED;
	decision = health_alert_decide(&paused, &settings, SEEN_MS * 2, &open_site);
	assert_int_equal(decision.action, ALERT_ACTION_WAIT);
	assert_int_equal(decision.next_at_ms, 0);
}

static void test_not_yet_due_waits_until_due(void **state)
{
	struct alert_camera camera = running(ALERT_NONE);
	struct alert_decision decision = health_alert_decide(&camera, &settings, SEEN_MS + 389999, NULL);
	assert_int_equal(decision.action, ALERT_ACTION_WAIT);
	assert_int_equal(decision.next_at_ms, SEEN_MS + 390000);
}

static void test_due_asks_for_the_opening_then_alerts_when_open(void **state)
{
	struct alert_camera camera = running(ALERT_NONE);
	int64_t now = SEEN_MS + 390000;
	assert_int_equal(health_alert_decide(&camera, &settings, now, NULL).action, ALERT_ACTION_NEEDS_OPENING);
	struct alert_decision decision = health_alert_decide(&camera, &settings, now, &open_site);
	assert_int_equal(decision.action, ALERT_ACTION_CAMERA_OFFLINE);
	assert_int_equal(decision.offline_since_ms, SEEN_MS + 90000);
	assert_int_equal(decision.next_at_ms, now + 600000); /* the first reminder */
	decision = health_alert_decide(&camera, &no_reminders, now, &open_site);
	assert_int_equal(decision.action, ALERT_ACTION_CAMERA_OFFLINE);
	assert_int_equal(decision.next_at_ms, 0);
}

static void test_closed_waits_for_the_next_opening(void **state)
{
	struct alert_camera camera = running(ALERT_NONE);
	int64_t now = SEEN_MS + 400000;
	struct site_opening closed = {.open = false, .next_open_ms = now + 3600000};
	struct alert_decision decision = health_alert_decide(&camera, &settings, now, &closed);
	assert_int_equal(decision.action, ALERT_ACTION_WAIT);
	assert_int_equal(decision.next_at_ms, now + 3600000);
	struct site_opening never_opens = {.open = false, .next_open_ms = 0};
	decision = health_alert_decide(&camera, &settings, now, &never_opens);
	assert_int_equal(decision.action, ALERT_ACTION_WAIT);
	assert_int_equal(decision.next_at_ms, now + ALERT_CLOSED_RETRY_MS);
}

static void test_reminder_when_due_and_open_only(void **state)
{
	struct alert_camera camera = running(ALERT_CAMERA_OPEN);
	camera.alert_sent_at_ms = SEEN_MS + 390000;
	struct alert_decision decision = health_alert_decide(&camera, &settings, SEEN_MS + 500000, NULL);
	assert_int_equal(decision.action, ALERT_ACTION_WAIT);
	assert_int_equal(decision.next_at_ms, SEEN_MS + 990000);
	int64_t now = SEEN_MS + 990000;
	assert_int_equal(health_alert_decide(&camera, &settings, now, NULL).action, ALERT_ACTION_NEEDS_OPENING);
	decision = health_alert_decide(&camera, &settings, now, &open_site);
	assert_int_equal(decision.action, ALERT_ACTION_REMINDER);
	assert_int_equal(decision.next_at_ms, now + 600000);
	struct site_opening closed = {.open = false, .next_open_ms = now + 60000};
	decision = health_alert_decide(&camera, &settings, now, &closed);
	assert_int_equal(decision.action, ALERT_ACTION_WAIT);
	assert_int_equal(decision.next_at_ms, now + 60000);
	decision = health_alert_decide(&camera, &no_reminders, now, &open_site);
	assert_int_equal(decision.action, ALERT_ACTION_WAIT);
	assert_int_equal(decision.next_at_ms, 0);
}

static void test_back_online_after_an_alert(void **state)
{
	struct alert_camera camera = running(ALERT_CAMERA_OPEN);
	struct alert_decision decision = health_alert_decide(&camera, &settings, SEEN_MS + 1000, NULL);
	assert_int_equal(decision.action, ALERT_ACTION_CAMERA_ONLINE);
	assert_int_equal(decision.next_at_ms, SEEN_MS + 390000); /* as the heartbeat set it */
	camera.alert_state = ALERT_SITE_COVERED;
	decision = health_alert_decide(&camera, &settings, SEEN_MS + 1000, NULL);
	assert_int_equal(decision.action, ALERT_ACTION_SITE_ONLINE);
	decision = health_alert_decide(&camera, &settings, SEEN_MS + 100000, NULL); /* still offline */
	assert_int_equal(decision.action, ALERT_ACTION_WAIT);
	assert_int_equal(decision.next_at_ms, 0);
}

static void test_site_down_needs_two_seen_cameras_all_offline_and_none_alerted(void **state)
{
	int64_t now = SEEN_MS + 390000;
	struct alert_camera cameras[3] = {running(ALERT_NONE), running(ALERT_NONE), running(ALERT_NONE)};
	cameras[2].last_seen_at = 0; /* never seen: does not count */
	assert_true(health_alert_site_down(cameras, 3, &settings, now));
	assert_false(health_alert_site_down(cameras, 1, &settings, now)); /* one camera is not a site */
	cameras[1].last_seen_at = now / 1000;                             /* online */
	assert_false(health_alert_site_down(cameras, 3, &settings, now));
	cameras[1] = running(ALERT_CAMERA_OPEN); /* already alerted on its own */
	assert_false(health_alert_site_down(cameras, 3, &settings, now));
	cameras[1] = running(ALERT_NONE);
	cameras[1].state = CAMERA_PAUSED; /* paused: not counted, leaving one */
	assert_false(health_alert_site_down(cameras, 3, &settings, now));
}

static void test_restart_after_site_online(void **state)
{
	struct alert_camera offline = running(ALERT_SITE_COVERED);
	int64_t now = SEEN_MS + 500000;
	assert_int_equal(health_alert_restart_ms(&offline, &settings, now), now + 300000);
	struct alert_camera back = running(ALERT_SITE_COVERED);
	back.last_seen_at = now / 1000;
	assert_int_equal(health_alert_restart_ms(&back, &settings, now), now + 390000);
}

static void test_site_event_data_lists_the_cameras(void **state)
{
	const char *ids[] = {"11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"};
	char *data = health_alert_site_data(ids, 2, SEEN_MS);
	assert_non_null(data);
	assert_string_equal(data,
	                    "{\"cameraIds\":[\"11111111-1111-4111-8111-111111111111\","
	                    "\"22222222-2222-4222-8222-222222222222\"],\"offlineSince\":\"1970-01-12T13:46:40Z\"}");
	free(data);
}

static void test_camera_event_data_adds_offline_since_and_reminder(void **state)
{
	struct camera camera = {
	    .id = "11111111-1111-4111-8111-111111111111", .state = CAMERA_RUNNING, .last_seen_at = SEEN};
	char *data = health_alert_camera_data(&camera, SEEN + 500, 90, SEEN_MS + 90000, true);
	assert_non_null(data);
	assert_true(strncmp(data, "{\"camera\":{\"id\":\"11111111-1111-4111-8111-111111111111\"", 52) == 0);
	const char *tail = ",\"offlineSince\":\"1970-01-12T13:48:10Z\",\"reminder\":true}";
	assert_string_equal(data + strlen(data) - strlen(tail), tail);
	free(data);
	data = health_alert_camera_data(&camera, SEEN + 500, 90, SEEN_MS + 90000, false);
	assert_non_null(data);
	assert_null(strstr(data, "reminder"));
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_offline_once_the_window_has_passed_in_whole_seconds),
	    cmocka_unit_test(test_shutting_down_is_offline_at_once),
	    cmocka_unit_test(test_heartbeat_due_is_bucketed_but_never_before_offline),
	    cmocka_unit_test(test_never_seen_or_not_running_never_alerts),
	    cmocka_unit_test(test_not_yet_due_waits_until_due),
	    cmocka_unit_test(test_due_asks_for_the_opening_then_alerts_when_open),
	    cmocka_unit_test(test_closed_waits_for_the_next_opening),
	    cmocka_unit_test(test_reminder_when_due_and_open_only),
	    cmocka_unit_test(test_back_online_after_an_alert),
	    cmocka_unit_test(test_site_down_needs_two_seen_cameras_all_offline_and_none_alerted),
	    cmocka_unit_test(test_restart_after_site_online),
	    cmocka_unit_test(test_site_event_data_lists_the_cameras),
	    cmocka_unit_test(test_camera_event_data_adds_offline_since_and_reminder),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
