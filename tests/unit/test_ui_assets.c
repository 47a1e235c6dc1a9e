/* The dashboard's path rules (ui/ui_assets.h): files by their path below /ui/, app paths answered
 * with index.html, missing files 404; and If-None-Match against an ETag. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ui/ui_assets.h"

static void test_a_file_resolves_to_itself(void **state)
{
	const struct ui_asset *asset = NULL;
	assert_int_equal(ui_asset_resolve("js/app.js", &asset), UI_FILE);
	assert_string_equal(asset->path, "js/app.js");
	assert_string_equal(asset->content_type, "text/javascript; charset=utf-8");
	assert_true(asset->length > 0);
	assert_int_equal(asset->etag[0], '"');
}

static void test_app_paths_resolve_to_the_index_page(void **state)
{
	const char *paths[] = {"", "cameras/3f0c9a52-7d1e-4c55-9a60-1b2f3e4d5c6b", "sites", "index.html"};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		const struct ui_asset *asset = NULL;
		assert_int_equal(ui_asset_resolve(paths[i], &asset), UI_APP_PAGE);
		assert_string_equal(asset->path, UI_INDEX_PATH);
		assert_string_equal(asset->content_type, "text/html; charset=utf-8");
	}
}

static void test_a_missing_file_is_missing(void **state)
{
	const struct ui_asset *asset = NULL;
	assert_int_equal(ui_asset_resolve("js/nothing.js", &asset), UI_MISSING);
	assert_int_equal(ui_asset_resolve("cameras/photo.png", &asset), UI_MISSING);
}

static void test_if_none_match_names_the_etag(void **state)
{
	const char *etag = "\"0123456789abcdef0123\"";
	assert_true(ui_etag_matches("\"0123456789abcdef0123\"", etag));
	assert_true(ui_etag_matches("\"other\", W/\"0123456789abcdef0123\" ", etag));
	assert_true(ui_etag_matches("*", etag));
	assert_false(ui_etag_matches(NULL, etag));
	assert_false(ui_etag_matches("", etag));
	assert_false(ui_etag_matches("\"0123456789abcdef012\"", etag));
	assert_false(ui_etag_matches("\"0123456789abcdef01234\"", etag));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_a_file_resolves_to_itself),
	    cmocka_unit_test(test_app_paths_resolve_to_the_index_page),
	    cmocka_unit_test(test_a_missing_file_is_missing),
	    cmocka_unit_test(test_if_none_match_names_the_etag),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
