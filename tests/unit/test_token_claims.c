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

#include "auth/jwt.h"
#include "auth/tokens.h"
#include "store/store.h"
#include "util/timeutil.h"

#define KID "unit-test-key"

static EVP_PKEY *key;
static char *key_pem;
static struct token_service *service;

/* The store of this test holds one signing key, key_pem. */
static enum store_result key_get(struct store *store, char *kid, size_t kid_size, char **pem_out)
{
	snprintf(kid, kid_size, "%s", KID);
	*pem_out = strdup(key_pem);
	return *pem_out != NULL ? STORE_OK : STORE_ERROR;
}

static const struct store_ops key_only_ops = {.signing_key_get = key_get};
static struct store key_only_store = {.ops = &key_only_ops};

static int setup(void **state)
{
	key = EVP_EC_gen("P-256");
	BIO *bio = BIO_new(BIO_s_mem());
	if (key == NULL || bio == NULL || PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) != 1)
		return -1;
	char *data;
	long length = BIO_get_mem_data(bio, &data);
	key_pem = strndup(data, (size_t)length);
	BIO_free(bio);
	service = key_pem != NULL ? token_service_new(&key_only_store, "camfleet", "camfleet", 3600) : NULL;
	return service != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	token_service_free(service);
	EVP_PKEY_free(key);
	free(key_pem);
	return 0;
}

/* Signs an admin token whose exp and iat are the given JSON values (stolen), and verifies it. */
static enum token_result verify_with_dates(json_t *exp, json_t *iat, struct principal *principal)
{
	json_t *claims = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "iss", "camfleet", "aud", "camfleet", "sub",
				   "497f6eca-6276-4993-bfeb-53cbbbba6f08", "role", "admin", "kind", "user", "org",
				   "7d9f0e4c-2b1a-4c3d-9e8f-0a1b2c3d4e5f", "exp", exp, "iat", iat);
	assert_non_null(claims);
	char *token = jwt_sign_es256(key, KID, claims);
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
