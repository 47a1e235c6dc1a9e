/* Password checks (auth/password.c): a hash made by password_hash matches its secret and no
 * other, and a stored hash argon2 cannot read is a failed check — never a wrong password, which
 * would count a failed sign-in against the user. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth/password.h"

static void test_a_hash_matches_its_secret_only(void **state)
{
	(void)state;
	char hash[PASSWORD_HASH_SIZE];
	assert_int_equal(password_hash("correct horse battery", hash), 0);
	assert_int_equal(password_check(hash, "correct horse battery"), PASSWORD_MATCH);
	assert_int_equal(password_check(hash, "correct horse batterY"), PASSWORD_MISMATCH);
}

static void test_an_unreadable_hash_is_a_failed_check_not_a_mismatch(void **state)
{
	(void)state;
	assert_int_equal(password_check("$argon2id$v=19$m=19456,t=2,p=1$not-base64!$x", "anything"),
	                 PASSWORD_CHECK_FAILED);
	assert_int_equal(password_check("hmac-sha256$k1$abc", "anything"), PASSWORD_CHECK_FAILED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_a_hash_matches_its_secret_only),
	    cmocka_unit_test(test_an_unreadable_hash_is_a_failed_check_not_a_mismatch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
