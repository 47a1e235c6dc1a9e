/* Field names of JSON bodies: nested paths, the nearest known name (case first, then fewest
 * edits), the exact unknown-field message with its suggestion and allowed set (and read-only set
 * of a change body), and the read-only field sent with another value than the current one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "domain/field_names.h"

static const char *const site_fields[] = {"name", "timeZone", "organisationId", NULL};
static const char *const item_fields[] = {"cameraId", "serialNumber", NULL};
static const char *const no_fields[] = {NULL};

static void test_path_of_key_at_top_is_the_key(void **state)
{
	char path[FIELD_PATH_SIZE];
	assert_true(field_path_key(path, sizeof(path), "", "name"));
	assert_string_equal(path, "name");
}

static void test_path_of_nested_key_and_index(void **state)
{
	char day[FIELD_PATH_SIZE], interval[FIELD_PATH_SIZE], close[FIELD_PATH_SIZE];
	assert_true(field_path_key(day, sizeof(day), "weekly", "monday"));
	assert_true(field_path_index(interval, sizeof(interval), day, 1));
	assert_true(field_path_key(close, sizeof(close), interval, "close"));
	assert_string_equal(close, "weekly.monday[1].close");
}

static void test_path_too_long_is_cut_and_reported(void **state)
{
	char path[8];
	assert_false(field_path_key(path, sizeof(path), "cameras[3]", "serialNumber"));
	assert_string_equal(path, "cameras");
	assert_false(field_path_index(path, sizeof(path), "cameras", 3));
	assert_string_equal(path, "cameras");
}

static void test_nearest_prefers_a_case_only_difference(void **state)
{
	assert_string_equal(field_names_nearest("timezone", site_fields), "timeZone");
	assert_string_equal(field_names_nearest("NAME", site_fields), "name");
}

static void test_nearest_by_fewest_edits(void **state)
{
	assert_string_equal(field_names_nearest("nmae", site_fields), "name");
	assert_string_equal(field_names_nearest("organizationId", site_fields), "organisationId");
	assert_string_equal(field_names_nearest("serialNumbr", item_fields), "serialNumber");
	assert_string_equal(field_names_nearest("cameraID", item_fields), "cameraId");
}

static void test_nearest_is_null_when_nothing_is_close(void **state)
{
	assert_null(field_names_nearest("colour", site_fields));
	assert_null(field_names_nearest("serial", item_fields));
	assert_null(field_names_nearest("name", no_fields));
	char long_name[FIELD_NAME_COMPARE_MAX + 2];
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_null(field_names_nearest(long_name, site_fields));
}

static void test_message_suggests_and_lists_allowed(void **state)
{
	char message[FIELD_MESSAGE_SIZE];
	field_names_unknown_message(message, sizeof(message), "", "timezone", site_fields);
	assert_string_equal(
	    message, "unknown field 'timezone' — did you mean 'timeZone'? allowed: name, timeZone, organisationId");
}

static void test_message_names_the_nested_path(void **state)
{
	char message[FIELD_MESSAGE_SIZE];
	field_names_unknown_message(message, sizeof(message), "cameras[3]", "serial_number", item_fields);
	assert_string_equal(
	    message, "unknown field 'cameras[3].serial_number' — did you mean 'serialNumber'? allowed: cameraId, "
	             "serialNumber");
}

static void test_message_without_suggestion(void **state)
{
	char message[FIELD_MESSAGE_SIZE];
	field_names_unknown_message(message, sizeof(message), "", "colour", site_fields);
	assert_string_equal(message, "unknown field 'colour'; allowed: name, timeZone, organisationId");
	field_names_unknown_message(message, sizeof(message), "", "colour", no_fields);
	assert_string_equal(message, "unknown field 'colour'; allowed: none");
}

static void test_message_is_cut_to_fit(void **state)
{
	char message[24];
	field_names_unknown_message(message, sizeof(message), "", "colour", site_fields);
	assert_string_equal(message, "unknown field 'colour';");
}

static const char *const site_writable[] = {"name", "timeZone", NULL};
static const char *const site_read_only[] = {"id", "organisationId", "createdAt", NULL};

static void test_change_message_lists_writable_and_read_only(void **state)
{
	char message[FIELD_MESSAGE_SIZE];
	field_names_unknown_change_message(message, sizeof(message), "timezone", site_writable, site_read_only);
	assert_string_equal(message, "unknown field 'timezone' — did you mean 'timeZone'? allowed: name, timeZone; "
	                             "read-only: id, organisationId, createdAt");
	field_names_unknown_change_message(message, sizeof(message), "created_at", site_writable, site_read_only);
	assert_string_equal(message, "unknown field 'created_at' — did you mean 'createdAt'? allowed: name, timeZone; "
	                             "read-only: id, organisationId, createdAt");
	field_names_unknown_change_message(message, sizeof(message), "colour", site_writable, NULL);
	assert_string_equal(message, "unknown field 'colour'; allowed: name, timeZone");
}

static json_t *object(const char *text)
{
	json_t *value = json_loads(text, 0, NULL);
	assert_non_null(value);
	return value;
}

static void test_first_changed_is_null_when_read_only_fields_are_current(void **state)
{
	json_t *current = object("{\"id\": \"a\", \"organisationId\": null, \"createdAt\": \"2026-01-02T03:04:05Z\","
	                         " \"name\": \"Old\", \"events\": [\"x\", \"y\"]}");
	json_t *body = object("{\"id\": \"a\", \"organisationId\": null, \"name\": \"New\"}");
	assert_null(field_names_first_changed(body, current, site_read_only));
	json_t *none = object("{\"name\": \"New\"}");
	assert_null(field_names_first_changed(none, current, site_read_only));
	assert_null(field_names_first_changed(body, current, NULL));
	static const char *const events[] = {"events", NULL};
	json_t *same_list = object("{\"events\": [\"x\", \"y\"]}");
	assert_null(field_names_first_changed(same_list, current, events));
	json_decref(same_list);
	json_decref(none);
	json_decref(body);
	json_decref(current);
}

static void test_first_changed_names_the_first_different_value(void **state)
{
	json_t *current = object("{\"id\": \"a\", \"organisationId\": \"o\", \"createdAt\": \"2026-01-02T03:04:05Z\"}");
	json_t *other_id = object("{\"createdAt\": \"2026-01-02T03:04:06Z\", \"id\": \"b\"}");
	assert_string_equal(field_names_first_changed(other_id, current, site_read_only), "id");
	json_t *null_organisation = object("{\"organisationId\": null}");
	assert_string_equal(field_names_first_changed(null_organisation, current, site_read_only), "organisationId");
	json_t *wrong_type = object("{\"createdAt\": 1767322245}");
	assert_string_equal(field_names_first_changed(wrong_type, current, site_read_only), "createdAt");
	json_t *lacking = object("{\"id\": \"a\"}");
	json_t *lacking_current = object("{}");
	assert_string_equal(field_names_first_changed(lacking, lacking_current, site_read_only), "id");
	json_decref(lacking_current);
	json_decref(lacking);
	json_decref(wrong_type);
	json_decref(null_organisation);
	json_decref(other_id);
	json_decref(current);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_path_of_key_at_top_is_the_key),
	    cmocka_unit_test(test_path_of_nested_key_and_index),
	    cmocka_unit_test(test_path_too_long_is_cut_and_reported),
	    cmocka_unit_test(test_nearest_prefers_a_case_only_difference),
	    cmocka_unit_test(test_nearest_by_fewest_edits),
	    cmocka_unit_test(test_nearest_is_null_when_nothing_is_close),
	    cmocka_unit_test(test_message_suggests_and_lists_allowed),
	    cmocka_unit_test(test_message_names_the_nested_path),
	    cmocka_unit_test(test_message_without_suggestion),
	    cmocka_unit_test(test_message_is_cut_to_fit),
	    cmocka_unit_test(test_change_message_lists_writable_and_read_only),
	    cmocka_unit_test(test_first_changed_is_null_when_read_only_fields_are_current),
	    cmocka_unit_test(test_first_changed_names_the_first_different_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
