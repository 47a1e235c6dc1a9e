/* Token signing and verification: what jwt_verify_es256 accepts and, above all, what it refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/jwt.h"
#include "util/base64.h"

#define NOW 1700000000

static EVP_PKEY *key;
static EVP_PKEY *other_key;
static char kid[64];

static int setup(void **state)
{
	key = EVP_EC_gen("P-256");
	other_key = EVP_EC_gen("P-256");
	if (key == NULL || other_key == NULL || jwt_key_thumbprint(key, kid) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	EVP_PKEY_free(key);
	EVP_PKEY_free(other_key);
	return 0;
}

static char *make_token(EVP_PKEY *signer, int64_t exp, const char *iss, const char *aud)
{
	json_t *claims = json_pack("{s:s, s:s, s:s, s:s, s:I}", "iss", iss, "aud", aud, "sub",
	                           "497f6eca-6276-4993-bfeb-53cbbbba6f08", "role", "admin", "exp", (json_int_t)exp);
	char *token = jwt_sign_es256(signer, kid, claims);
	json_decref(claims);
	return token;
}

static enum token_result verify(const char *token, json_t **claims)
{
	return jwt_verify_es256(key, kid, token, strlen(token), NOW, "camfleet", "camfleet", claims);
}

static void test_signed_token_verifies_and_yields_claims(void **state)
{
	char *token = make_token(key, NOW + 60, "camfleet", "camfleet");
	assert_non_null(token);
	json_t *claims = NULL;
	assert_int_equal(verify(token, &claims), TOKEN_OK);
	assert_string_equal(json_string_value(json_object_get(claims, "role")), "admin");
	json_decref(claims);
	free(token);
}

static void test_expired_token_is_refused(void **state)
{
	char *token = make_token(key, NOW - 1, "camfleet", "camfleet");
	json_t *claims = NULL;
	assert_int_equal(verify(token, &claims), TOKEN_EXPIRED);
	assert_null(claims);
	free(token);
}

static void test_token_expiring_now_is_refused(void **state)
{
	char *token = make_token(key, NOW, "camfleet", "camfleet");
	json_t *claims = NULL;
	assert_int_equal(verify(token, &claims), TOKEN_EXPIRED);
	free(token);
}

static void test_token_signed_by_another_key_is_refused(void **state)
{
	char *token = make_token(other_key, NOW + 60, "camfleet", "camfleet");
	json_t *claims = NULL;
	assert_int_equal(verify(token, &claims), TOKEN_BAD_SIGNATURE);
	free(token);
}

static void test_wrong_issuer_and_audience_are_refused(void **state)
{
	json_t *claims = NULL;
	char *token = make_token(key, NOW + 60, "someone-else", "camfleet");
	assert_int_equal(verify(token, &claims), TOKEN_WRONG_AUDIENCE);
	free(token);
	token = make_token(key, NOW + 60, "camfleet", "another-api");
	assert_int_equal(verify(token, &claims), TOKEN_WRONG_AUDIENCE);
	free(token);
}

static char *encode_part(const char *json)
{
	char *out = malloc(base64_encoded_size(strlen(json)));
	base64url_encode((const unsigned char *)json, strlen(json), out);
	return out;
}

static void test_alg_none_is_refused(void **state)
{
	char *header = encode_part("{\"alg\":\"none\",\"typ\":\"JWT\"}");
	char *payload = encode_part("{\"iss\":\"camfleet\",\"aud\":\"camfleet\",\"sub\":\"x\",\"exp\":9999999999}");
	char token[1024];
	snprintf(token, sizeof(token), "%s.%s.", header, payload);
	json_t *claims = NULL;
	assert_int_equal(verify(token, &claims), TOKEN_BAD_ALGORITHM);
	free(header);
	free(payload);
}

static void test_hs256_header_is_refused(void **state)
{
	char *valid = make_token(key, NOW + 60, "camfleet", "camfleet");
	char *header = encode_part("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
	const char *rest = strchr(valid, '.');
	char token[2048];
	snprintf(token, sizeof(token), "%s%s", header, rest);
	json_t *claims = NULL;
	assert_int_equal(verify(token, &claims), TOKEN_BAD_ALGORITHM);
	free(header);
	free(valid);
}

static void test_tampered_payload_is_refused(void **state)
{
	char *valid = make_token(key, NOW + 60, "camfleet", "camfleet");
	char *first_dot = strchr(valid, '.');
	char *second_dot = strchr(first_dot + 1, '.');
	char *payload =
	    encode_part("{\"aud\":\"camfleet\",\"exp\":9999999999,\"iss\":\"camfleet\",\"role\":\"operator\","
	                "\"sub\":\"497f6eca-6276-4993-bfeb-53cbbbba6f08\"}");
	char token[2048];
	snprintf(token, sizeof(token), "%.*s.%s%s", (int)(first_dot - valid), valid, payload, second_dot);
	json_t *claims = NULL;
	assert_int_equal(verify(token, &claims), TOKEN_BAD_SIGNATURE);
	free(payload);
	free(valid);
}

static void test_unknown_kid_is_refused(void **state)
{
	json_t *claims_in = json_pack("{s:s, s:s, s:s, s:I}", "iss", "camfleet", "aud", "camfleet", "sub", "x", "exp",
	                              (json_int_t)(NOW + 60));
	char *token = jwt_sign_es256(key, "some-other-kid", claims_in);
	json_decref(claims_in);
	json_t *claims = NULL;
	assert_int_equal(verify(token, &claims), TOKEN_BAD_ALGORITHM);
	free(token);
}

static void test_garbage_is_malformed(void **state)
{
	json_t *claims = NULL;
	assert_int_equal(verify("", &claims), TOKEN_MALFORMED);
	assert_int_equal(verify("abc", &claims), TOKEN_MALFORMED);
	assert_int_equal(verify("a.b", &claims), TOKEN_MALFORMED);
	assert_int_equal(verify("a.b.c.d", &claims), TOKEN_MALFORMED);
	assert_int_equal(verify("!!!.???.***", &claims), TOKEN_MALFORMED);
}

static void test_truncated_signature_is_refused(void **state)
{
	char *valid = make_token(key, NOW + 60, "camfleet", "camfleet");
	valid[strlen(valid) - 2] = '\0';
	json_t *claims = NULL;
	assert_int_equal(verify(valid, &claims), TOKEN_BAD_SIGNATURE);
	free(valid);
}

static void test_public_jwk_has_p256_coordinates(void **state)
{
	json_t *jwk = jwt_public_jwk(key, kid);
	assert_non_null(jwk);
	assert_string_equal(json_string_value(json_object_get(jwk, "kty")), "EC");
	assert_string_equal(json_string_value(json_object_get(jwk, "crv")), "P-256");
	assert_string_equal(json_string_value(json_object_get(jwk, "alg")), "ES256");
	assert_int_equal(strlen(json_string_value(json_object_get(jwk, "x"))), 43);
	assert_int_equal(strlen(json_string_value(json_object_get(jwk, "y"))), 43);
	assert_string_equal(json_string_value(json_object_get(jwk, "kid")), kid);
	json_decref(jwk);
}

static void test_header_kid_is_read_for_picking_the_key(void **state)
{
	char *token = make_token(key, NOW + 60, "camfleet", "camfleet");
	char found[64];
	assert_int_equal(jwt_header_kid(token, strlen(token), found, sizeof(found)), 0);
	assert_string_equal(found, kid);
	assert_int_equal(jwt_header_kid(token, strlen(token), found, 8), -1); /* longer than the buffer */
	free(token);
}

static void test_header_without_kid_gives_empty_kid_and_garbage_is_refused(void **state)
{
	char header[64], token[128];
	base64url_encode((const unsigned char *)"{\"alg\":\"ES256\"}", 15, header);
	snprintf(token, sizeof(token), "%s.e30.sig", header);
	char found[64] = "unchanged";
	assert_int_equal(jwt_header_kid(token, strlen(token), found, sizeof(found)), 0);
	assert_string_equal(found, "");
	base64url_encode((const unsigned char *)"{\"kid\":7}", 9, header);
	snprintf(token, sizeof(token), "%s.e30.sig", header);
	assert_int_equal(jwt_header_kid(token, strlen(token), found, sizeof(found)), -1);
	assert_int_equal(jwt_header_kid("no-dot-at-all", 13, found, sizeof(found)), -1);
	assert_int_equal(jwt_header_kid("!!!.e30.sig", 11, found, sizeof(found)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_signed_token_verifies_and_yields_claims),
	    cmocka_unit_test(test_header_kid_is_read_for_picking_the_key),
	    cmocka_unit_test(test_header_without_kid_gives_empty_kid_and_garbage_is_refused),
	    cmocka_unit_test(test_expired_token_is_refused),
	    cmocka_unit_test(test_token_expiring_now_is_refused),
	    cmocka_unit_test(test_token_signed_by_another_key_is_refused),
	    cmocka_unit_test(test_wrong_issuer_and_audience_are_refused),
	    cmocka_unit_test(test_alg_none_is_refused),
	    cmocka_unit_test(test_hs256_header_is_refused),
	    cmocka_unit_test(test_tampered_payload_is_refused),
	    cmocka_unit_test(test_unknown_kid_is_refused),
	    cmocka_unit_test(test_garbage_is_malformed),
	    cmocka_unit_test(test_truncated_signature_is_refused),
	    cmocka_unit_test(test_public_jwk_has_p256_coordinates),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
