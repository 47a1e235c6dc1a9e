/* Keyed secret hashes (auth/secret_mac.c): the stored form against a vector computed apart
 * (Python's hmac and base64), parsing that refuses anything but exactly that form, checks that
 * match, mismatch, name another key or are not keyed at all, and the key's text form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "auth/secret_mac.h"

/* Key bytes 0..31; Python: base64.urlsafe_b64encode(bytes(range(32))) without padding. */
#define KEY_TEXT "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
/* hmac.new(bytes(range(32)), b"correct-device-secret", hashlib.sha256), base64url unpadded. */
#define VECTOR_MAC "KamXjWrsmYs151uu-ADrH7qMRbxuHegkTsE6DC5Pxb8"
#define VECTOR     "hmac-sha256$k1$" VECTOR_MAC

static struct secret_mac_key test_key(const char *id)
{
	struct secret_mac_key key;
	assert_true(secret_mac_key_decode(id, KEY_TEXT, &key));
	return key;
}

static void test_hash_matches_the_vector_computed_apart(void **state)
{
	(void)state;
	struct secret_mac_key key = test_key("k1");
	char out[SECRET_MAC_HASH_SIZE];
	assert_int_equal(secret_mac_hash(&key, "correct-device-secret", out), 0);
	assert_string_equal(out, VECTOR);
	assert_true(secret_mac_is_keyed(out));
}

static void test_hash_with_the_longest_key_id_fits(void **state)
{
	(void)state;
	struct secret_mac_key key = test_key("abcdefghijklmnopqrstuvwxyz012345"); /* 32 characters */
	char out[SECRET_MAC_HASH_SIZE];
	assert_int_equal(secret_mac_hash(&key, "s", out), 0);
	assert_int_equal(strlen(out), SECRET_MAC_HASH_SIZE - 1);
	assert_int_equal(secret_mac_check(&key, out, "s"), SECRET_MAC_MATCH);
}

static void test_check_matches_only_the_same_secret(void **state)
{
	(void)state;
	struct secret_mac_key key = test_key("k1");
	assert_int_equal(secret_mac_check(&key, VECTOR, "correct-device-secret"), SECRET_MAC_MATCH);
	assert_int_equal(secret_mac_check(&key, VECTOR, "correct-device-secreT"), SECRET_MAC_MISMATCH);
	assert_int_equal(secret_mac_check(&key, VECTOR, ""), SECRET_MAC_MISMATCH);
}

static void test_check_under_another_key_id_is_other_key(void **state)
{
	(void)state;
	struct secret_mac_key key = test_key("k2");
	assert_int_equal(secret_mac_check(&key, VECTOR, "correct-device-secret"), SECRET_MAC_OTHER_KEY);
}

static void test_argon2id_hashes_are_not_keyed(void **state)
{
	(void)state;
	struct secret_mac_key key = test_key("k1");
	const char *legacy = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA";
	assert_false(secret_mac_is_keyed(legacy));
	assert_int_equal(secret_mac_check(&key, legacy, "anything"), SECRET_MAC_MALFORMED);
}

static void test_parse_refuses_every_other_shape(void **state)
{
	(void)state;
	char id[SECRET_MAC_KEY_ID_MAX + 1];
	unsigned char mac[SECRET_MAC_BYTES];
	assert_true(secret_mac_parse(VECTOR, id, mac));
	assert_string_equal(id, "k1");
	static const char *const refused[] = {
	    "",
	    "hmac-sha256$",
	    "hmac-sha256$k1",
	    "hmac-sha256$k1$",
	    "hmac-sha256$$" VECTOR_MAC,
	    "hmac-sha256$k 1$" VECTOR_MAC,
	    "hmac-sha256$k1$" VECTOR_MAC "A",                             /* 44 characters */
	    "hmac-sha256$k1$KamXjWrsmYs151uu-ADrH7qMRbxuHegkTsE6DC5Pxb",  /* 42 */
	    "hmac-sha256$k1$KamXjWrsmYs151uu+ADrH7qMRbxuHegkTsE6DC5Pxb8", /* standard alphabet */
	    "hmac-sha256$k1$KamXjWrsmYs151uu-ADrH7qMRbxuHegkTsE6DC5Pxb=", /* padding */
	    "hmac-sha256$abcdefghijklmnopqrstuvwxyz0123456$" VECTOR_MAC,  /* a 33-character id */
	    "hmac-sha512$k1$" VECTOR_MAC,
	    "HMAC-SHA256$k1$" VECTOR_MAC,
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		if (secret_mac_parse(refused[i], id, mac))
			fail_msg("parsed '%s'", refused[i]);
	}
}

static void test_key_text_round_trips_and_refuses_bad_texts(void **state)
{
	(void)state;
	struct secret_mac_key key = test_key("k1");
	for (size_t i = 0; i < SECRET_MAC_KEY_BYTES; i++)
		assert_int_equal(key.bytes[i], i);
	char text[SECRET_MAC_KEY_TEXT_SIZE];
	secret_mac_key_encode(&key, text);
	assert_string_equal(text, KEY_TEXT);
	struct secret_mac_key other;
	assert_false(secret_mac_key_decode("k1", "AAEC", &other));       /* too short */
	assert_false(secret_mac_key_decode("k1", KEY_TEXT "A", &other)); /* too long */
	assert_false(secret_mac_key_decode("", KEY_TEXT, &other));       /* no id */
	assert_false(secret_mac_key_decode("k$1", KEY_TEXT, &other));    /* '$' in the id */
	assert_false(secret_mac_key_decode("k1", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+", &other));
}

static void test_hash_refuses_a_key_without_a_valid_id(void **state)
{
	(void)state;
	struct secret_mac_key key = test_key("k1");
	strcpy(key.id, "a$b");
	char out[SECRET_MAC_HASH_SIZE];
	assert_int_equal(secret_mac_hash(&key, "s", out), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hash_matches_the_vector_computed_apart),
	    cmocka_unit_test(test_hash_with_the_longest_key_id_fits),
	    cmocka_unit_test(test_check_matches_only_the_same_secret),
	    cmocka_unit_test(test_check_under_another_key_id_is_other_key),
	    cmocka_unit_test(test_argon2id_hashes_are_not_keyed),
	    cmocka_unit_test(test_parse_refuses_every_other_shape),
	    cmocka_unit_test(test_key_text_round_trips_and_refuses_bad_texts),
	    cmocka_unit_test(test_hash_refuses_a_key_without_a_valid_id),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
