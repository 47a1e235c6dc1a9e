/* The claims of a correctly signed token read into a caller (auth/tokens.c): ordinary dates are
 * taken as they are; a date claim beyond what an int64_t of seconds holds (or negative) refuses
 * the token instead of converting out of range (undefined behaviour, found by fuzz/fuzz_jwt). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/jwt.h"
#include "auth/tokens.h"
#include "store/store.h"
#include "util/timeutil.h"

static EVP_PKEY *key;
static char key_path[] = "/tmp/camfleet-test-token-claims-XXXXXX";
static char kid[64];
static struct token_service *service;

/* The store of this test holds no revocation: the key comes from a file (--signing-key-file). */
static enum store_result no_revocations(struct store *store, int64_t changed_after_ms, token_revocation_fn row,
                                        void *context)
{
	return STORE_OK;
}

static enum store_result nothing_to_prune(struct store *store, int64_t changed_before_ms)
{
	return STORE_OK;
}

static const struct store_ops no_revocation_ops = {.token_revocation_list = no_revocations,
                                                   .token_revocation_prune = nothing_to_prune};
static struct store no_revocation_store = {.ops = &no_revocation_ops};

static int setup(void **state)
{
	key = EVP_EC_gen("P-256");
	int fd = mkstemp(key_path); /* mode 0600 */
	FILE *file = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (key == NULL || file == NULL || PEM_write_PrivateKey(file, key, NULL, NULL, 0, NULL, NULL) != 1 ||
	    fclose(file) != 0 || jwt_key_thumbprint(key, kid) != 0)
		return -1;
	service = token_service_new(&no_revocation_store, NULL, "camfleet", "camfleet", 3600, key_path);
	return service != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	token_service_free(service);
	EVP_PKEY_free(key);
	unlink(key_path);
	return 0;
}

/* Signs an admin token whose exp and iat are the given JSON values (stolen), and verifies it. */
static enum token_result verify_with_dates(json_t *exp, json_t *iat, struct principal *principal)
{
	json_t *claims = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "iss", "camfleet", "aud", "camfleet",
	                           "sub", "497f6eca-6276-4993-bfeb-53cbbbba6f08", "role", "admin", "kind", "user",
	                           "org", "7d9f0e4c-2b1a-4c3d-9e8f-0a1b2c3d4e5f", "exp", exp, "iat", iat);
	assert_non_null(claims);
	char *token = jwt_sign_es256(key, kid, claims);
	json_decref(claims);
	assert_non_null(token);
	enum token_result result = token_verify(service, token, strlen(token), principal);
	free(token);
	return result;
}

static void test_ordinary_dates_are_read_as_given(void **state)
{
	int64_t now = time_now_seconds();
	struct principal principal;
	assert_int_equal(verify_with_dates(json_integer(now + 600), json_integer(now - 5), &principal), TOKEN_OK);
	assert_int_equal(principal.expires_at, now + 600);
	assert_int_equal(principal.issued_at, now - 5);
	assert_int_equal(principal.role, ROLE_ADMIN);
}

static void test_exp_beyond_year_9999_refuses_the_token(void **state)
{
	int64_t now = time_now_seconds();
	struct principal principal;
	assert_int_equal(verify_with_dates(json_real(1.79667e96), json_integer(now), &principal), TOKEN_BAD_CLAIMS);
	assert_int_equal(verify_with_dates(json_integer(253402300800), json_integer(now), &principal),
	                 TOKEN_BAD_CLAIMS);
}

static void test_iat_out_of_range_refuses_the_token(void **state)
{
	int64_t now = time_now_seconds();
	struct principal principal;
	assert_int_equal(verify_with_dates(json_integer(now + 600), json_real(-1e300), &principal), TOKEN_BAD_CLAIMS);
	assert_int_equal(verify_with_dates(json_integer(now + 600), json_real(1e300), &principal), TOKEN_BAD_CLAIMS);
	assert_int_equal(verify_with_dates(json_integer(now + 600), json_string("yesterday"), &principal),
	                 TOKEN_BAD_CLAIMS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ordinary_dates_are_read_as_given),
	    cmocka_unit_test(test_exp_beyond_year_9999_refuses_the_token),
	    cmocka_unit_test(test_iat_out_of_range_refuses_the_token),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
