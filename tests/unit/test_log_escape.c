/* log_escape: what a client sends can never forge a log line, close a quoted field, reach the
 * terminal as an escape sequence, or overrun the buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "util/log_escape.h"

static void test_plain_text_is_kept_as_is(void **state)
{
	char out[64];
	assert_string_equal(log_escape("/cameras/4f1c-ab?x=1&y=%20", out, sizeof(out)), "/cameras/4f1c-ab?x=1&y=%20");
}

static void test_null_is_a_dash(void **state)
{
	char out[8];
	assert_string_equal(log_escape(NULL, out, sizeof(out)), "-");
}

static void test_newline_cannot_start_a_forged_line(void **state)
{
	char out[128];
	log_escape("/x\nFAKE 2026-01-01T00:00:00.000Z INFO GET /admin 200", out, sizeof(out));
	assert_string_equal(out, "/x\\nFAKE 2026-01-01T00:00:00.000Z INFO GET /admin 200");
	assert_null(strchr(out, '\n'));
}

static void test_quotes_backslashes_and_controls_are_escaped(void **state)
{
	char out[128];
	log_escape("a\"b\\c\r\td\x1b[31me\x7f\x01", out, sizeof(out));
	assert_string_equal(out, "a\\\"b\\\\c\\r\\td\\x1b[31me\\x7f\\x01");
}

static void test_bytes_above_ascii_are_hex_escaped(void **state)
{
	char out[64];
	assert_string_equal(log_escape("caf\xc3\xa9\x9b", out, sizeof(out)), "caf\\xc3\\xa9\\x9b");
}

static void test_long_value_is_truncated_with_the_marker_within_the_buffer(void **state)
{
	char input[200];
	memset(input, 'a', sizeof(input) - 1);
	input[sizeof(input) - 1] = '\0';
	char out[32];
	log_escape(input, out, sizeof(out));
	assert_int_equal(strlen(out), sizeof(out) - 1);
	assert_string_equal(out + strlen(out) - strlen(LOG_ESCAPE_TRUNCATED), LOG_ESCAPE_TRUNCATED);
	assert_int_equal(strspn(out, "a"), sizeof(out) - 1 - strlen(LOG_ESCAPE_TRUNCATED));
}

static void test_truncation_never_splits_an_escape(void **state)
{
	char out[16]; /* 11 + 4 ("\...") + NUL: the 4-byte \x escape at position 11 cannot fit */
	log_escape("aaaaaaaaaaa\x01zzzz", out, sizeof(out));
	assert_string_equal(out, "aaaaaaaaaaa\\...");
}

static void test_value_that_exactly_fits_is_not_marked(void **state)
{
	char out[8];
	assert_string_equal(log_escape("abcdefg", out, sizeof(out)), "abcdefg");
	assert_string_equal(log_escape("abcdefgh", out, sizeof(out)), "abc\\...");
}

static void test_input_backslash_dots_cannot_fake_the_marker(void **state)
{
	char out[32];
	assert_string_equal(log_escape("x\\...", out, sizeof(out)), "x\\\\...");
}

static void test_worst_case_fits_log_escape_size(void **state)
{
	char input[17];
	memset(input, 0x01, 16);
	input[16] = '\0';
	char out[LOG_ESCAPE_SIZE(16)];
	log_escape(input, out, sizeof(out));
	assert_int_equal(strlen(out), 64);
	assert_null(strstr(out, LOG_ESCAPE_TRUNCATED));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_text_is_kept_as_is),
	    cmocka_unit_test(test_null_is_a_dash),
	    cmocka_unit_test(test_newline_cannot_start_a_forged_line),
	    cmocka_unit_test(test_quotes_backslashes_and_controls_are_escaped),
	    cmocka_unit_test(test_bytes_above_ascii_are_hex_escaped),
	    cmocka_unit_test(test_long_value_is_truncated_with_the_marker_within_the_buffer),
	    cmocka_unit_test(test_truncation_never_splits_an_escape),
	    cmocka_unit_test(test_value_that_exactly_fits_is_not_marked),
	    cmocka_unit_test(test_input_backslash_dots_cannot_fake_the_marker),
	    cmocka_unit_test(test_worst_case_fits_log_escape_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
