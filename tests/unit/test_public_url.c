/* --public-url: only an http(s) base URL without query, fragment or userinfo is accepted; the
 * default comes from the listen address. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "http/public_url.h"

static void accepts(const char *text, const char *expected)
{
	char out[128];
	const char *error = NULL;
	assert_int_equal(public_url_normalize(text, out, sizeof(out), &error), 0);
	assert_string_equal(out, expected);
}

static void refuses(const char *text, const char *reason_part)
{
	char out[128];
	const char *error = NULL;
	assert_int_equal(public_url_normalize(text, out, sizeof(out), &error), -1);
	assert_non_null(error);
	assert_non_null(strstr(error, reason_part));
}

static void test_http_and_https_urls_are_kept(void **state)
{
	accepts("http://127.0.0.1:8080", "http://127.0.0.1:8080");
	accepts("https://api.example.com", "https://api.example.com");
	accepts("https://[2001:db8::1]:8443/camfleet", "https://[2001:db8::1]:8443/camfleet");
}

static void test_trailing_slashes_are_removed_and_the_scheme_lowercased(void **state)
{
	accepts("https://api.example.com/", "https://api.example.com");
	accepts("HTTPS://api.example.com/base//", "https://api.example.com/base");
}

static void test_other_schemes_are_refused(void **state)
{
	refuses("ftp://api.example.com", "scheme");
	refuses("api.example.com", "scheme");
	refuses("", "scheme");
}

static void test_missing_host_is_refused(void **state)
{
	refuses("https://", "host");
	refuses("https:///path", "host");
}

static void test_query_fragment_userinfo_and_spaces_are_refused(void **state)
{
	refuses("https://api.example.com/?x=1", "query");
	refuses("https://api.example.com/#top", "fragment");
	refuses("https://user:pw@api.example.com", "user");
	refuses("https://api.example.com/a b", "spaces");
	refuses("https://api.example.com/\nFAKE", "control");
}

static void test_too_long_is_refused(void **state)
{
	char out[16];
	const char *error = NULL;
	assert_int_equal(public_url_normalize("https://api.example.com", out, sizeof(out), &error), -1);
	assert_non_null(strstr(error, "too long"));
}

static void test_default_comes_from_the_listen_address(void **state)
{
	char out[64];
	assert_int_equal(public_url_from_listen("127.0.0.1", 8080, out, sizeof(out)), 0);
	assert_string_equal(out, "http://127.0.0.1:8080");
	assert_int_equal(public_url_from_listen("::1", 9000, out, sizeof(out)), 0);
	assert_string_equal(out, "http://[::1]:9000");
	assert_int_equal(public_url_from_listen("", 80, out, sizeof(out)), 0);
	assert_string_equal(out, "http://localhost:80");
	assert_int_equal(public_url_from_listen("a-very-long-host-name.example.com", 80, out, 16), -1);
}

static void test_path_is_the_prefix_of_root_relative_urls(void **state)
{
	assert_string_equal(public_url_path("https://api.example.com"), "");
	assert_string_equal(public_url_path("http://[::1]:9000"), "");
	assert_string_equal(public_url_path("https://example.com/camfleet"), "/camfleet");
	assert_string_equal(public_url_path("https://example.com/a/b"), "/a/b");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_http_and_https_urls_are_kept),
	    cmocka_unit_test(test_trailing_slashes_are_removed_and_the_scheme_lowercased),
	    cmocka_unit_test(test_other_schemes_are_refused),
	    cmocka_unit_test(test_missing_host_is_refused),
	    cmocka_unit_test(test_query_fragment_userinfo_and_spaces_are_refused),
	    cmocka_unit_test(test_too_long_is_refused),
	    cmocka_unit_test(test_default_comes_from_the_listen_address),
	    cmocka_unit_test(test_path_is_the_prefix_of_root_relative_urls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
