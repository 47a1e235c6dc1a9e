/* auth/refresh_tokens.c: the text form of a refresh token, "<id>.<secret>" — what parses, into
 * what, and what is refused before any lookup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "auth/refresh_tokens.h"

#define ID     "8f14e45f-ceea-467f-a0e6-7a4a3b2c1d0e"
#define SECRET "Xq3vT0b2mK9pL7sR4wY1zA6cE8gJ5nH2uF0dB3kM9tQ"

static bool parses(const char *text)
{
	char id[UUID_BUFFER_SIZE], secret[CLIENT_SECRET_SIZE];
	return refresh_token_parse(text, id, secret);
}

static void test_a_token_splits_into_its_id_and_secret(void **state)
{
	char id[UUID_BUFFER_SIZE], secret[CLIENT_SECRET_SIZE];
	assert_true(refresh_token_parse(ID "." SECRET, id, secret));
	assert_string_equal(id, ID);
	assert_string_equal(secret, SECRET);
}

static void test_an_uppercase_id_is_normalised(void **state)
{
	char id[UUID_BUFFER_SIZE], secret[CLIENT_SECRET_SIZE];
	assert_true(refresh_token_parse("8F14E45F-CEEA-467F-A0E6-7A4A3B2C1D0E." SECRET, id, secret));
	assert_string_equal(id, ID);
}

static void test_anything_else_is_refused(void **state)
{
	assert_false(parses(""));
	assert_false(parses(ID));
	assert_false(parses(ID "."));
	assert_false(parses(ID "." SECRET "A")); /* too long */
	assert_false(parses(ID "."
	                       "Xq3vT0b2mK9pL7sR4wY1zA6cE8gJ5nH2uF0dB3kM9t")); /* too short */
	assert_false(parses(ID ":" SECRET));                                   /* another separator */
	assert_false(parses("8f14e45f-ceea-467f-a0e6-7a4a3b2c1d0g." SECRET));  /* not hexadecimal */
	assert_false(parses(ID "."
	                       "Xq3vT0b2mK9pL7sR4wY1zA6cE8gJ5nH2uF0dB3kM9t=")); /* padding */
	assert_false(parses(ID "."
	                       "Xq3vT0b2mK9pL7sR4wY1zA6cE8gJ5nH2uF0dB3kM9t+")); /* base64, not base64url */
	assert_false(parses(ID "."
	                       "Xq3vT0b2mK9pL7sR4wY1zA6cE8gJ5nH2uF0dB3kM9t\n")); /* control character */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_a_token_splits_into_its_id_and_secret),
	    cmocka_unit_test(test_an_uppercase_id_is_normalised),
	    cmocka_unit_test(test_anything_else_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
