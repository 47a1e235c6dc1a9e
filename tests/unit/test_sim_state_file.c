/* The simulator's state file: a saved fleet loads back the same, is private (0600), a missing
 * file is an empty fleet and a damaged one is refused with a message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/state_file.h"

static char directory[64];
static char path[128];

static int make_directory(void **state)
{
	snprintf(directory, sizeof(directory), "/tmp/camfleet-sim-state-XXXXXX");
	if (mkdtemp(directory) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/state.json", directory);
	return 0;
}

static int remove_directory(void **state)
{
	unlink(path);
	rmdir(directory);
	return 0;
}

static void write_text(const char *text)
{
	FILE *file = fopen(path, "w");
	assert_non_null(file);
	fputs(text, file);
	fclose(file);
}

static void test_saved_state_loads_back(void **state)
{
	struct sim_state saved;
	sim_state_init(&saved);
	struct sim_state_camera *first = sim_state_add(&saved);
	snprintf(first->id, sizeof(first->id), "0f0e0d0c-0b0a-4000-8000-000000000001");
	snprintf(first->serial_number, sizeof(first->serial_number), "SIM-1");
	snprintf(first->name, sizeof(first->name), "Sim camera \"1\"");
	snprintf(first->device_secret, sizeof(first->device_secret), "s3cret");
	struct sim_state_camera *second = sim_state_add(&saved);
	snprintf(second->id, sizeof(second->id), "0f0e0d0c-0b0a-4000-8000-000000000002");
	snprintf(second->serial_number, sizeof(second->serial_number), "SIM-2");
	char error[256] = "";
	assert_int_equal(sim_state_save(&saved, path, "http://127.0.0.1:1", error, sizeof(error)), 0);

	struct stat info;
	assert_int_equal(stat(path, &info), 0);
	assert_int_equal(info.st_mode & 0777, 0600);

	struct sim_state loaded;
	sim_state_init(&loaded);
	assert_int_equal(sim_state_load(&loaded, path, error, sizeof(error)), 0);
	assert_int_equal(loaded.count, 2);
	assert_string_equal(loaded.cameras[0].id, first->id);
	assert_string_equal(loaded.cameras[0].serial_number, "SIM-1");
	assert_string_equal(loaded.cameras[0].name, "Sim camera \"1\"");
	assert_string_equal(loaded.cameras[0].device_secret, "s3cret");
	assert_string_equal(loaded.cameras[1].name, "");
	assert_string_equal(loaded.cameras[1].device_secret, "");
	sim_state_release(&saved);
	sim_state_release(&loaded);
}

static void test_missing_file_is_an_empty_fleet(void **state)
{
	unlink(path);
	struct sim_state loaded;
	sim_state_init(&loaded);
	char error[256] = "";
	assert_int_equal(sim_state_load(&loaded, path, error, sizeof(error)), 0);
	assert_int_equal(loaded.count, 0);
	sim_state_release(&loaded);
}

static void expect_refused(const char *text, const char *message_part)
{
	write_text(text);
	struct sim_state loaded;
	sim_state_init(&loaded);
	char error[256] = "";
	assert_int_equal(sim_state_load(&loaded, path, error, sizeof(error)), -1);
	if (strstr(error, message_part) == NULL)
		fail_msg("error '%s' does not mention '%s'", error, message_part);
	sim_state_release(&loaded);
}

static void test_damaged_files_are_refused(void **state)
{
	expect_refused("{not json", "cannot read state file");
	expect_refused("[]", "\"cameras\" array");
	expect_refused("{\"cameras\": [{\"id\": \"nope\", \"serialNumber\": \"S\"}]}", "cameras[0].id must be a UUID");
	expect_refused("{\"cameras\": [{\"id\": \"0f0e0d0c-0b0a-4000-8000-000000000001\"}]}",
	               "cameras[0].serialNumber");
	expect_refused("{\"cameras\": [{\"id\": \"0f0e0d0c-0b0a-4000-8000-000000000001\", \"serialNumber\": \"A\"},"
	               " {\"id\": \"0F0E0D0C-0B0A-4000-8000-000000000001\", \"serialNumber\": \"B\"}]}",
	               "appears twice");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_saved_state_loads_back),
	    cmocka_unit_test(test_missing_file_is_an_empty_fleet),
	    cmocka_unit_test(test_damaged_files_are_refused),
	};
	return cmocka_run_group_tests(tests, make_directory, remove_directory);
}
