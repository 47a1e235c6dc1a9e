/* The key ring read from a key file: what --signing-key-file accepts (mode 0600 or stricter, an EC
 * P-256 private key) and refuses, and lookups by kid. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/jwt.h"
#include "auth/signing_keys.h"

static char path[64];

static int make_dir(void **state)
{
	snprintf(path, sizeof(path), "/tmp/camfleet-keys-XXXXXX");
	return mkdtemp(path) == NULL ? -1 : 0;
}

static int remove_dir(void **state)
{
	return rmdir(path);
}

/* Writes key (PEM) to <dir>/name with mode; the file path into out (128 bytes). */
static void write_key(EVP_PKEY *key, const char *name, mode_t mode, char out[128])
{
	snprintf(out, 128, "%s/%s", path, name);
	FILE *file = fopen(out, "w");
	assert_non_null(file);
	assert_int_equal(PEM_write_PrivateKey(file, key, NULL, NULL, 0, NULL, NULL), 1);
	fclose(file);
	assert_int_equal(chmod(out, mode), 0);
}

static void test_key_file_of_mode_0600_is_the_one_key(void **state)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	char file[128], error[256] = "", expected_kid[64], kid[SIGNING_KEY_ID_SIZE];
	write_key(key, "good.pem", 0600, file);
	assert_int_equal(jwt_key_thumbprint(key, expected_kid), 0);
	struct signing_keys *keys = signing_keys_from_file(file, error, sizeof(error));
	assert_non_null(keys);
	EVP_PKEY *current = signing_keys_current(keys, kid);
	assert_non_null(current);
	assert_string_equal(kid, expected_kid);
	assert_int_equal(EVP_PKEY_eq(current, key), 1);
	EVP_PKEY *found = signing_keys_find(keys, expected_kid);
	assert_ptr_equal(found, current);
	assert_null(signing_keys_find(keys, "another-kid"));
	json_t *jwks = signing_keys_jwks(keys);
	assert_int_equal(json_array_size(json_object_get(jwks, "keys")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(jwks, "keys"), 0), "kid")),
	                    expected_kid);
	json_decref(jwks);
	EVP_PKEY_free(found);
	EVP_PKEY_free(current);
	signing_keys_free(keys);
	EVP_PKEY_free(key);
	unlink(file);
}

static void test_key_file_with_group_or_other_bits_is_refused_naming_the_mode(void **state)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	const mode_t modes[] = {0644, 0640, 0604, 0660, 0601};
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		char file[128], error[256] = "", mode_text[32];
		write_key(key, "open.pem", modes[i], file);
		assert_null(signing_keys_from_file(file, error, sizeof(error)));
		snprintf(mode_text, sizeof(mode_text), "has mode %04o", (unsigned)modes[i]);
		assert_non_null(strstr(error, mode_text));
		assert_non_null(strstr(error, "chmod 600"));
		unlink(file);
	}
	char file[128], error[256] = "";
	write_key(key, "owner-read-only.pem", 0400, file);
	struct signing_keys *keys = signing_keys_from_file(file, error, sizeof(error));
	assert_non_null(keys);
	signing_keys_free(keys);
	unlink(file);
	EVP_PKEY_free(key);
}

static void test_key_file_of_another_curve_or_not_a_key_is_refused(void **state)
{
	EVP_PKEY *p384 = EVP_EC_gen("P-384");
	char file[128], error[256] = "";
	write_key(p384, "p384.pem", 0600, file);
	assert_null(signing_keys_from_file(file, error, sizeof(error)));
	assert_non_null(strstr(error, "does not hold a PEM EC P-256 private key"));
	unlink(file);
	EVP_PKEY_free(p384);

	snprintf(file, sizeof(file), "%s/text.pem", path);
	FILE *text = fopen(file, "w");
	assert_non_null(text);
	fputs("not a key\n", text);
	fclose(text);
	assert_int_equal(chmod(file, 0600), 0);
	assert_null(signing_keys_from_file(file, error, sizeof(error)));
	assert_non_null(strstr(error, "does not hold"));
	unlink(file);

	assert_null(signing_keys_from_file(path, error, sizeof(error))); /* a directory */
	assert_non_null(strstr(error, "not a regular file"));
	snprintf(file, sizeof(file), "%s/missing.pem", path);
	assert_null(signing_keys_from_file(file, error, sizeof(error)));
	assert_non_null(strstr(error, "cannot open"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_key_file_of_mode_0600_is_the_one_key),
	    cmocka_unit_test(test_key_file_with_group_or_other_bits_is_refused_naming_the_mode),
	    cmocka_unit_test(test_key_file_of_another_curve_or_not_a_key_is_refused),
	};
	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
