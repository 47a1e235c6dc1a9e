/* Small utilities: UUID validation, RFC 3339 time, base64url, and the request arena. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "util/arena.h"
#include "util/base64.h"
#include "util/timeutil.h"
#include "util/uuid.h"

static void test_generated_uuids_are_valid_v4_and_distinct(void **state)
{
	char a[UUID_BUFFER_SIZE], b[UUID_BUFFER_SIZE];
	assert_int_equal(uuid_generate_text(a), 0);
	assert_int_equal(uuid_generate_text(b), 0);
	assert_true(uuid_is_valid(a));
	assert_int_equal(a[14], '4');
	assert_string_not_equal(a, b);
}

static void test_uuid_validation_rejects_near_misses(void **state)
{
	assert_true(uuid_is_valid("497f6eca-6276-4993-bfeb-53cbbbba6f08"));
	assert_false(uuid_is_valid("497f6eca-6276-4993-bfeb-53cbbbba6f0"));
	assert_false(uuid_is_valid("497f6eca-6276-4993-bfeb-53cbbbba6f088"));
	assert_false(uuid_is_valid("497f6eca+6276-4993-bfeb-53cbbbba6f08"));
	assert_false(uuid_is_valid("497f6eca-6276-4993-bfeb-53cbbbba6fg8"));
	assert_false(uuid_is_valid(""));
	assert_false(uuid_is_valid(NULL));
}

static void test_uuid_bytes_round_trip(void **state)
{
	(void)state;
	unsigned char bytes[UUID_BYTES];
	char text[UUID_BUFFER_SIZE];
	assert_true(uuid_to_bytes("497F6ECA-6276-4993-BFEB-53CBBBBA6F08", bytes));
	assert_int_equal(bytes[0], 0x49);
	assert_int_equal(bytes[15], 0x08);
	uuid_from_bytes(bytes, text);
	assert_string_equal(text, "497f6eca-6276-4993-bfeb-53cbbbba6f08");
	for (int i = 0; i < 1000; i++) {
		char fresh[UUID_BUFFER_SIZE];
		assert_int_equal(uuid_generate_text(fresh), 0);
		assert_true(uuid_to_bytes(fresh, bytes));
		uuid_from_bytes(bytes, text);
		assert_string_equal(text, fresh);
	}
	assert_false(uuid_to_bytes("497f6eca-6276-4993-bfeb-53cbbbba6f0", bytes));
	assert_false(uuid_to_bytes("", bytes));
}

static void test_uuid_normalize_lowercases(void **state)
{
	char out[UUID_BUFFER_SIZE];
	assert_true(uuid_normalize("497F6ECA-6276-4993-BFEB-53CBBBBA6F08", out));
	assert_string_equal(out, "497f6eca-6276-4993-bfeb-53cbbbba6f08");
}

static void test_rfc3339_round_trip(void **state)
{
	char text[RFC3339_BUFFER_SIZE];
	time_format_rfc3339(1566656122, text);
	assert_string_equal(text, "2019-08-24T14:15:22Z");
	int64_t parsed = 0;
	assert_true(time_parse_rfc3339("2019-08-24T14:15:22Z", &parsed));
	assert_int_equal(parsed, 1566656122);
}

static void test_civil_time_matches_gmtime_across_eras(void **state)
{
	/* Every 7777 s from 1900 to 2200, and the edges of leap days and centuries. */
	for (int64_t t = -2208988800LL; t < 7258118400LL; t += 7777 * 97) {
		time_t instant = (time_t)t;
		struct tm expected;
		gmtime_r(&instant, &expected);
		struct civil_time got;
		time_civil_from_epoch(t, &got);
		assert_int_equal(got.year, expected.tm_year + 1900);
		assert_int_equal(got.month, expected.tm_mon + 1);
		assert_int_equal(got.day, expected.tm_mday);
		assert_int_equal(got.hour, expected.tm_hour);
		assert_int_equal(got.minute, expected.tm_min);
		assert_int_equal(got.second, expected.tm_sec);
	}
	char text[RFC3339_BUFFER_SIZE];
	time_format_rfc3339(951782400, text); /* 2000-02-29: a leap day of a 400-year century */
	assert_string_equal(text, "2000-02-29T00:00:00Z");
	time_format_rfc3339(-1, text);
	assert_string_equal(text, "1969-12-31T23:59:59Z");
}

static void test_rfc3339_offsets_and_fractions(void **state)
{
	int64_t parsed = 0;
	assert_true(time_parse_rfc3339("2019-08-24T16:15:22.125+02:00", &parsed));
	assert_int_equal(parsed, 1566656122);
	assert_true(time_parse_rfc3339("2019-08-24T09:15:22-05:00", &parsed));
	assert_int_equal(parsed, 1566656122);
}

static void test_rfc3339_millis_keeps_the_fraction(void **state)
{
	int64_t parsed = 0;
	assert_true(time_parse_rfc3339_millis("2019-08-24T14:15:22.125Z", &parsed));
	assert_int_equal(parsed, 1566656122125);
	assert_true(time_parse_rfc3339_millis("2019-08-24T16:15:22.5+02:00", &parsed));
	assert_int_equal(parsed, 1566656122500);
	assert_true(time_parse_rfc3339_millis("2019-08-24T14:15:22.123999Z", &parsed)); /* truncated */
	assert_int_equal(parsed, 1566656122123);
	assert_true(time_parse_rfc3339_millis("2019-08-24T14:15:22Z", &parsed));
	assert_int_equal(parsed, 1566656122000);
	assert_true(time_parse_rfc3339_millis("1969-12-31T23:59:59.250Z", &parsed));
	assert_int_equal(parsed, -750);
	assert_false(time_parse_rfc3339_millis("2019-08-24T14:15:22.Z", &parsed));
	assert_false(time_parse_rfc3339_millis("2019-08-24T14:15:22", &parsed));
}

static void test_rfc3339_rejects_malformed(void **state)
{
	int64_t parsed = 0;
	assert_false(time_parse_rfc3339("2019-08-24", &parsed));
	assert_false(time_parse_rfc3339("2019-08-24T14:15:22", &parsed));
	assert_false(time_parse_rfc3339("2019-02-30T14:15:22Z", &parsed));
	assert_false(time_parse_rfc3339("2019-08-24T25:15:22Z", &parsed));
	assert_false(time_parse_rfc3339("2019-08-24T14:15:22Zjunk", &parsed));
	assert_false(time_parse_rfc3339("yesterday", &parsed));
}

static void test_date_parsing_knows_leap_years(void **state)
{
	int y, m, d;
	assert_true(time_parse_date("2024-02-29", &y, &m, &d));
	assert_int_equal(y, 2024);
	assert_int_equal(m, 2);
	assert_int_equal(d, 29);
	assert_false(time_parse_date("2023-02-29", &y, &m, &d));
	assert_false(time_parse_date("2023-13-01", &y, &m, &d));
	assert_false(time_parse_date("2023-1-01", &y, &m, &d));
	assert_false(time_parse_date("2023-01-01x", &y, &m, &d));
}

static void test_base64url_round_trip_without_padding(void **state)
{
	const unsigned char data[] = {0xfb, 0xff, 0xfe, 0x00, 0x41};
	char text[16];
	size_t length = base64url_encode(data, sizeof(data), text);
	assert_string_equal(text, "-__-AEE");
	assert_int_equal(length, 7);
	unsigned char decoded[16];
	assert_int_equal(base64url_decode(text, length, decoded), (long)sizeof(data));
	assert_memory_equal(decoded, data, sizeof(data));
}

static void test_base64url_rejects_standard_alphabet_and_padding(void **state)
{
	unsigned char decoded[16];
	assert_int_equal(base64url_decode("+/+/", 4, decoded), -1);
	assert_int_equal(base64url_decode("QQ==", 4, decoded), -1);
	assert_int_equal(base64url_decode("Q", 1, decoded), -1);
}

static void test_arena_serves_large_and_many_allocations(void **state)
{
	struct arena arena;
	arena_init(&arena);
	char *small = arena_strdup(&arena, "hello");
	assert_string_equal(small, "hello");
	char *big = arena_alloc(&arena, 100000);
	assert_non_null(big);
	memset(big, 'x', 100000);
	for (int i = 0; i < 1000; i++)
		assert_non_null(arena_printf(&arena, "item %d", i));
	assert_string_equal(small, "hello");
	assert_int_equal(((uintptr_t)arena_alloc(&arena, 3)) % 16, 0);
	arena_release(&arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_generated_uuids_are_valid_v4_and_distinct),
	    cmocka_unit_test(test_uuid_bytes_round_trip),
	    cmocka_unit_test(test_uuid_validation_rejects_near_misses),
	    cmocka_unit_test(test_uuid_normalize_lowercases),
	    cmocka_unit_test(test_rfc3339_round_trip),
	    cmocka_unit_test(test_civil_time_matches_gmtime_across_eras),
	    cmocka_unit_test(test_rfc3339_offsets_and_fractions),
	    cmocka_unit_test(test_rfc3339_millis_keeps_the_fraction),
	    cmocka_unit_test(test_rfc3339_rejects_malformed),
	    cmocka_unit_test(test_date_parsing_knows_leap_years),
	    cmocka_unit_test(test_base64url_round_trip_without_padding),
	    cmocka_unit_test(test_base64url_rejects_standard_alphabet_and_padding),
	    cmocka_unit_test(test_arena_serves_large_and_many_allocations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
