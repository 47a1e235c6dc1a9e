/* The camera cache: every field survives the round trip, misses hand out tickets, a fill that
 * raced a forget is dropped, forget drops the row, and the byte budget holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "store/camera_cache.h"

static struct camera camera_with_id(int n)
{
	struct camera c;
	memset(&c, 0x5a, sizeof(c)); /* garbage beyond the strings must not matter */
	snprintf(c.id, sizeof(c.id), "00000000-0000-4000-8000-%012d", n);
	snprintf(c.serial_number, sizeof(c.serial_number), "SN-%d", n);
	c.state = CAMERA_PAUSED;
	snprintf(c.organisation_id, sizeof(c.organisation_id), "11111111-1111-4111-8111-111111111111");
	snprintf(c.site_id, sizeof(c.site_id), "22222222-2222-4222-8222-222222222222");
	snprintf(c.camera_position_id, sizeof(c.camera_position_id), "33333333-3333-4333-8333-333333333333");
	c.claimed_at = 1700000000 + n;
	c.has_name = true;
	snprintf(c.name, sizeof(c.name), "Entrance %d", n);
	c.has_direction1_alias = false;
	c.direction1_alias[0] = '\0';
	c.has_direction2_alias = true;
	snprintf(c.direction2_alias, sizeof(c.direction2_alias), "Out");
	c.last_seen_at = 1700000100;
	c.last_video_at = 0;
	c.reported_offline = true;
	c.encoded_frames_proportion = 0.75;
	c.network_transmit_rate = 12345.5;
	c.video_backlog = 3;
	c.video_upload_latency = 0.25;
	return c;
}

static void assert_same_camera(const struct camera *a, const struct camera *b)
{
	assert_string_equal(a->id, b->id);
	assert_string_equal(a->serial_number, b->serial_number);
	assert_int_equal(a->state, b->state);
	assert_string_equal(a->organisation_id, b->organisation_id);
	assert_string_equal(a->site_id, b->site_id);
	assert_string_equal(a->camera_position_id, b->camera_position_id);
	assert_int_equal(a->claimed_at, b->claimed_at);
	assert_int_equal(a->has_name, b->has_name);
	assert_string_equal(a->name, b->name);
	assert_int_equal(a->has_direction1_alias, b->has_direction1_alias);
	assert_string_equal(a->direction1_alias, b->direction1_alias);
	assert_int_equal(a->has_direction2_alias, b->has_direction2_alias);
	assert_string_equal(a->direction2_alias, b->direction2_alias);
	assert_int_equal(a->last_seen_at, b->last_seen_at);
	assert_int_equal(a->last_video_at, b->last_video_at);
	assert_int_equal(a->reported_offline, b->reported_offline);
	assert_true(a->encoded_frames_proportion == b->encoded_frames_proportion);
	assert_true(a->network_transmit_rate == b->network_transmit_rate);
	assert_true(a->video_backlog == b->video_backlog);
	assert_true(a->video_upload_latency == b->video_upload_latency);
}

static void test_filled_row_comes_back_whole(void **state)
{
	struct camera_cache *cache = camera_cache_new(1 << 20);
	struct camera c = camera_with_id(1), out;
	uint64_t ticket;
	assert_false(camera_cache_get(cache, c.id, &out, &ticket));
	camera_cache_fill(cache, &c, ticket);
	assert_true(camera_cache_get(cache, c.id, &out, &ticket));
	assert_same_camera(&c, &out);
	assert_false(camera_cache_get(cache, "00000000-0000-4000-8000-000000000002", &out, &ticket));
	camera_cache_free(cache);
}

static void test_longest_texts_round_trip(void **state)
{
	struct camera_cache *cache = camera_cache_new(1 << 20);
	struct camera c = camera_with_id(3), out;
	memset(c.name, 'n', CAMERA_TEXT_MAX);
	c.name[CAMERA_TEXT_MAX] = '\0';
	memset(c.direction1_alias, 'a', CAMERA_TEXT_MAX);
	c.direction1_alias[CAMERA_TEXT_MAX] = '\0';
	c.has_direction1_alias = true;
	memset(c.serial_number, 's', CAMERA_SERIAL_MAX);
	c.serial_number[CAMERA_SERIAL_MAX] = '\0';
	uint64_t ticket;
	assert_false(camera_cache_get(cache, c.id, &out, &ticket));
	camera_cache_fill(cache, &c, ticket);
	assert_true(camera_cache_get(cache, c.id, &out, &ticket));
	assert_same_camera(&c, &out);
	camera_cache_free(cache);
}

static void test_forget_drops_the_row(void **state)
{
	struct camera_cache *cache = camera_cache_new(1 << 20);
	struct camera c = camera_with_id(4), out;
	uint64_t ticket;
	assert_false(camera_cache_get(cache, c.id, &out, &ticket));
	camera_cache_fill(cache, &c, ticket);
	camera_cache_forget(cache, c.id);
	assert_false(camera_cache_get(cache, c.id, &out, &ticket));
	struct camera_cache_usage usage;
	camera_cache_usage(cache, &usage);
	assert_int_equal(usage.rows, 0);
	assert_int_equal(usage.bytes, 0);
	assert_int_equal(usage.misses, 2);
	assert_int_equal(usage.hits, 0);
	camera_cache_free(cache);
}

/* A read that began before a change (its ticket) and ends after the change was forgotten would
 * bring the old row back: it must be dropped, and the next read's fill kept. */
static void test_fill_that_raced_a_forget_is_dropped(void **state)
{
	struct camera_cache *cache = camera_cache_new(1 << 20);
	struct camera old_row = camera_with_id(5), new_row = camera_with_id(5), out;
	new_row.state = CAMERA_RUNNING;
	uint64_t ticket;
	assert_false(camera_cache_get(cache, old_row.id, &out, &ticket));
	camera_cache_forget(cache, old_row.id); /* the change commits while the read is in flight */
	camera_cache_fill(cache, &old_row, ticket);
	assert_false(camera_cache_get(cache, old_row.id, &out, &ticket));
	camera_cache_fill(cache, &new_row, ticket);
	assert_true(camera_cache_get(cache, old_row.id, &out, &ticket));
	assert_int_equal(out.state, CAMERA_RUNNING);
	camera_cache_free(cache);
}

static void test_second_fill_replaces_the_first(void **state)
{
	struct camera_cache *cache = camera_cache_new(1 << 20);
	struct camera c = camera_with_id(6), out;
	uint64_t first, second;
	assert_false(camera_cache_get(cache, c.id, &out, &first));
	assert_false(camera_cache_get(cache, c.id, &out, &second));
	camera_cache_fill(cache, &c, first);
	snprintf(c.name, sizeof(c.name), "same row, read twice");
	camera_cache_fill(cache, &c, second);
	struct camera_cache_usage usage;
	camera_cache_usage(cache, &usage);
	assert_int_equal(usage.rows, 1);
	assert_true(camera_cache_get(cache, c.id, &out, &first));
	assert_string_equal(out.name, "same row, read twice");
	camera_cache_free(cache);
}

static void test_budget_holds_and_recent_rows_stay(void **state)
{
	const size_t budget = 256 * 1024;
	struct camera_cache *cache = camera_cache_new(budget);
	struct camera out;
	uint64_t ticket;
	for (int i = 0; i < 20000; i++) {
		struct camera c = camera_with_id(i);
		if (!camera_cache_get(cache, c.id, &out, &ticket))
			camera_cache_fill(cache, &c, ticket);
	}
	struct camera_cache_usage usage;
	camera_cache_usage(cache, &usage);
	assert_true(usage.bytes <= budget);
	assert_true(usage.rows > 100); /* evicting a chain at a time still keeps most of the budget in use */
	struct camera last = camera_with_id(19999);
	assert_true(camera_cache_get(cache, last.id, &out, &ticket));
	assert_same_camera(&last, &out);
	camera_cache_free(cache);
}

/* A registered camera (no placement, no name) comes back with its empty ids and flags. */
static void test_unclaimed_camera_round_trips(void **state)
{
	(void)state;
	struct camera_cache *cache = camera_cache_new(1 << 20);
	assert_non_null(cache);
	struct camera c = camera_with_id(7);
	c.state = CAMERA_REGISTERED;
	c.organisation_id[0] = c.site_id[0] = c.camera_position_id[0] = '\0';
	c.has_name = c.has_direction2_alias = c.reported_offline = false;
	c.name[0] = c.direction2_alias[0] = '\0';
	uint64_t ticket = 0;
	struct camera out;
	assert_false(camera_cache_get(cache, c.id, &out, &ticket));
	camera_cache_fill(cache, &c, ticket);
	assert_true(camera_cache_get(cache, c.id, &out, &ticket));
	assert_same_camera(&c, &out);
	camera_cache_free(cache);
}

/* A 100,000-camera fleet fits in the server's 32 MiB budget, every row kept. */
static void test_a_fleet_of_100000_fits_the_budget(void **state)
{
	(void)state;
	struct camera_cache *cache = camera_cache_new((size_t)32 << 20);
	assert_non_null(cache);
	for (int n = 0; n < 100000; n++) {
		struct camera c = camera_with_id(n);
		uint64_t ticket = 0;
		struct camera out;
		assert_false(camera_cache_get(cache, c.id, &out, &ticket));
		camera_cache_fill(cache, &c, ticket);
	}
	struct camera_cache_usage usage;
	camera_cache_usage(cache, &usage);
	assert_int_equal(usage.rows, 100000);
	assert_true(usage.bytes < (size_t)20 << 20);
	struct camera first = camera_with_id(0), out;
	uint64_t ticket = 0;
	assert_true(camera_cache_get(cache, first.id, &out, &ticket));
	assert_same_camera(&first, &out);
	camera_cache_free(cache);
}

static void test_heartbeat_updates_the_row_in_place_and_voids_reads_in_flight(void **state)
{
	struct camera_cache *cache = camera_cache_new(1 << 20);
	struct camera c = camera_with_id(7), out;
	uint64_t ticket, stale_ticket;
	assert_false(camera_cache_get(cache, c.id, &out, &ticket));
	camera_cache_fill(cache, &c, ticket);
	struct heartbeat beat = {.at = 1800000000,
	                         .shutting_down = false,
	                         .encoded_frames_proportion = 0.5,
	                         .network_transmit_rate = 99,
	                         .video_backlog = 7,
	                         .video_upload_latency = 1.5};
	memcpy(beat.camera_id, c.id, sizeof(beat.camera_id));
	camera_cache_heartbeat(cache, &beat);
	assert_true(camera_cache_get(cache, c.id, &out, &ticket));
	struct camera expected = c;
	expected.last_seen_at = 1800000000;
	expected.reported_offline = false;
	expected.encoded_frames_proportion = 0.5;
	expected.network_transmit_rate = 99;
	expected.video_backlog = 7;
	expected.video_upload_latency = 1.5;
	assert_same_camera(&expected, &out);
	/* a camera not cached: nothing to update, but a read of it in flight is voided */
	struct camera other = camera_with_id(8);
	assert_false(camera_cache_get(cache, other.id, &out, &stale_ticket));
	memcpy(beat.camera_id, other.id, sizeof(beat.camera_id));
	camera_cache_heartbeat(cache, &beat);
	camera_cache_fill(cache, &other, stale_ticket);
	assert_false(camera_cache_get(cache, other.id, &out, &ticket));
	camera_cache_free(cache);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_filled_row_comes_back_whole),
	    cmocka_unit_test(test_longest_texts_round_trip),
	    cmocka_unit_test(test_forget_drops_the_row),
	    cmocka_unit_test(test_fill_that_raced_a_forget_is_dropped),
	    cmocka_unit_test(test_second_fill_replaces_the_first),
	    cmocka_unit_test(test_budget_holds_and_recent_rows_stay),
	    cmocka_unit_test(test_heartbeat_updates_the_row_in_place_and_voids_reads_in_flight),
	    cmocka_unit_test(test_unclaimed_camera_round_trips),
	    cmocka_unit_test(test_a_fleet_of_100000_fits_the_budget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
