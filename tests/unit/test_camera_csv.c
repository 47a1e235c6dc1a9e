/* Lines of a camera registration CSV: pairs, quoting, the header, empty ids, and every refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "domain/camera_csv.h"

#define ID "0B0E2F4A-6D1C-4C0E-9A57-3F3B6D1E2A10"

struct parsed {
	enum camera_csv_line kind;
	char id[UUID_BUFFER_SIZE];
	char serial[CAMERA_SERIAL_MAX + 1];
	char error[128];
};

static struct parsed parse(const char *line, bool first)
{
	struct parsed out;
	out.kind = camera_csv_parse(line, strlen(line), first, out.id, out.serial, out.error, sizeof(out.error));
	return out;
}

static void test_a_pair_with_its_id_lowercased(void **state)
{
	(void)state;
	struct parsed p = parse(ID ",SN-1\r", false);
	assert_int_equal(p.kind, CAMERA_CSV_PAIR);
	assert_string_equal(p.id, "0b0e2f4a-6d1c-4c0e-9a57-3f3b6d1e2a10");
	assert_string_equal(p.serial, "SN-1");
}

static void test_an_empty_id_is_left_to_generate(void **state)
{
	(void)state;
	struct parsed p = parse(" , SN 2 ", false);
	assert_int_equal(p.kind, CAMERA_CSV_PAIR);
	assert_string_equal(p.id, "");
	assert_string_equal(p.serial, "SN 2");
}

static void test_quoted_fields_keep_commas_and_quotes(void **state)
{
	(void)state;
	struct parsed p = parse("\"\",\"SN, \"\"3\"\"\"", false);
	assert_int_equal(p.kind, CAMERA_CSV_PAIR);
	assert_string_equal(p.serial, "SN, \"3\"");
}

static void test_the_header_only_on_the_first_line(void **state)
{
	(void)state;
	assert_int_equal(parse("cameraId,serialNumber", true).kind, CAMERA_CSV_HEADER);
	assert_int_equal(parse("CAMERAID, SerialNumber\r", true).kind, CAMERA_CSV_HEADER);
	struct parsed p = parse("cameraId,serialNumber", false);
	assert_int_equal(p.kind, CAMERA_CSV_INVALID);
	assert_string_equal(p.error, "cameraId is not a UUID (8-4-4-4-12 hexadecimal digits)");
}

static void test_blank_lines(void **state)
{
	(void)state;
	assert_int_equal(parse("", false).kind, CAMERA_CSV_BLANK);
	assert_int_equal(parse("  \r", false).kind, CAMERA_CSV_BLANK);
}

static void expect_invalid(const char *line, const char *error)
{
	struct parsed p = parse(line, false);
	assert_int_equal(p.kind, CAMERA_CSV_INVALID);
	assert_string_equal(p.error, error);
	assert_string_equal(p.id, "");
}

static void test_refusals(void **state)
{
	(void)state;
	expect_invalid(ID, "expected 2 fields (cameraId,serialNumber), found 1");
	expect_invalid(ID ",a,b", "expected 2 fields (cameraId,serialNumber), found 3");
	expect_invalid("nope,SN", "cameraId is not a UUID (8-4-4-4-12 hexadecimal digits)");
	expect_invalid(ID ",", "serialNumber is empty");
	expect_invalid(ID ",\"open", "a quoted field is not closed");
	expect_invalid(ID ",\"x\"y", "text after a closing quote");
	expect_invalid(ID ",\xff\xfe", "serialNumber is not valid UTF-8 text");
	char line[400];
	snprintf(line, sizeof(line), "%s,", ID);
	memset(line + strlen(line), 's', 129);
	line[strlen(ID) + 1 + 129] = '\0';
	expect_invalid(line, "serialNumber is longer than 128 bytes");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_a_pair_with_its_id_lowercased),
	    cmocka_unit_test(test_an_empty_id_is_left_to_generate),
	    cmocka_unit_test(test_quoted_fields_keep_commas_and_quotes),
	    cmocka_unit_test(test_the_header_only_on_the_first_line),
	    cmocka_unit_test(test_blank_lines),
	    cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
