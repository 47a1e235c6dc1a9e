/* Database URLs as the logs show them: passwords never appear, everything else does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store/store.h"

static void check(const char *url, const char *expected)
{
	char out[256];
	store_url_redacted(url, out, sizeof(out));
	assert_string_equal(out, expected);
}

static void test_password_in_the_authority_is_hidden(void **state)
{
	(void)state;
	check("postgres://camfleet:s3cret@db.example:5432/fleet", "postgres://camfleet:***@db.example:5432/fleet");
	check("postgresql://u:p@127.0.0.1/db?sslmode=require", "postgresql://u:***@127.0.0.1/db?sslmode=require");
}

static void test_password_in_the_query_is_hidden(void **state)
{
	(void)state;
	check("postgres://db.example/fleet?user=u&password=p", "postgres://db.example/fleet?***");
}

static void test_urls_without_password_are_unchanged(void **state)
{
	(void)state;
	check("postgres://postgres@127.0.0.1:5432/postgres", "postgres://postgres@127.0.0.1:5432/postgres");
	check("sqlite:/var/lib/camfleet/camfleet.db", "sqlite:/var/lib/camfleet/camfleet.db");
	check("sqlite:weird:name@x.db", "sqlite:weird:name@x.db");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_password_in_the_authority_is_hidden),
	    cmocka_unit_test(test_password_in_the_query_is_hidden),
	    cmocka_unit_test(test_urls_without_password_are_unchanged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
