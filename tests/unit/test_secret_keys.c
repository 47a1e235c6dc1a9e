/* The secret hash keys (auth/secret_keys.c) over a stand-in store: the first key created when
 * there is none, the winner's key read after losing the race to create it, a retired key still
 * checking its hashes while new ones use the current key, an unknown key id failing like a wrong
 * secret, and an unreadable current key refusing to start. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "auth/secret_keys.h"
#include "util/log.h"

#define KEY_A "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8" /* bytes 0..31 */
#define KEY_B "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8" /* bytes 32..63 */

/* The stand-in table: rows in listing order (current first), and what an insert does. */
static struct {
	struct secret_hash_key_record rows[4];
	char ids[4][40], texts[4][64];
	size_t count;
	unsigned inserts;
	bool insert_loses_race; /* another node inserts KEY_B as "winner" first: STORE_CONFLICT */
} table;

static void table_add(const char *id, const char *text, int64_t retired_at)
{
	size_t i = table.count++;
	snprintf(table.ids[i], sizeof(table.ids[i]), "%s", id);
	snprintf(table.texts[i], sizeof(table.texts[i]), "%s", text);
	table.rows[i] = (struct secret_hash_key_record){table.ids[i], table.texts[i], 1000, retired_at};
}

static enum store_result fake_list(struct store *store, secret_hash_key_fn row, void *context)
{
	(void)store;
	for (size_t i = 0; i < table.count; i++)
		if (row(context, &table.rows[i]) != 0)
			break;
	return STORE_OK;
}

static enum store_result fake_insert(struct store *store, const char *id, const char *key_text, int64_t at)
{
	(void)store;
	(void)at;
	table.inserts++;
	if (table.insert_loses_race) {
		table_add("winner", KEY_B, 0);
		return STORE_CONFLICT;
	}
	table_add(id, key_text, 0);
	return STORE_OK;
}

static const struct store_ops fake_ops = {.secret_hash_key_list = fake_list, .secret_hash_key_insert = fake_insert};
static struct store fake_store = {.ops = &fake_ops};

static int reset(void **state)
{
	(void)state;
	memset(&table, 0, sizeof(table));
	log_set_level(LOG_ERROR);
	return 0;
}

static void test_an_empty_table_gets_its_first_key(void **state)
{
	(void)state;
	struct secret_keys *keys = secret_keys_from_store(&fake_store);
	assert_non_null(keys);
	assert_int_equal(table.inserts, 1);
	assert_int_equal(table.count, 1);
	assert_int_equal(strlen(table.texts[0]), 43);
	char hash[SECRET_MAC_HASH_SIZE];
	assert_int_equal(secret_keys_hash(keys, "a secret", hash), 0);
	char expected_prefix[64];
	snprintf(expected_prefix, sizeof(expected_prefix), "hmac-sha256$%s$", table.ids[0]);
	assert_memory_equal(hash, expected_prefix, strlen(expected_prefix));
	assert_int_equal(secret_keys_check(keys, hash, "a secret"), SECRET_MAC_MATCH);
	assert_int_equal(secret_keys_check(keys, hash, "another"), SECRET_MAC_MISMATCH);
	secret_keys_free(keys);
}

static void test_losing_the_race_reads_the_winners_key(void **state)
{
	(void)state;
	table.insert_loses_race = true;
	struct secret_keys *keys = secret_keys_from_store(&fake_store);
	assert_non_null(keys);
	char hash[SECRET_MAC_HASH_SIZE];
	assert_int_equal(secret_keys_hash(keys, "s", hash), 0);
	assert_memory_equal(hash, "hmac-sha256$winner$", 19);
	secret_keys_free(keys);
}

static void test_a_retired_key_still_checks_and_new_hashes_use_the_current_one(void **state)
{
	(void)state;
	table_add("old", KEY_A, 0);
	struct secret_keys *old_keys = secret_keys_from_store(&fake_store);
	assert_non_null(old_keys);
	char old_hash[SECRET_MAC_HASH_SIZE];
	assert_int_equal(secret_keys_hash(old_keys, "s", old_hash), 0);
	secret_keys_free(old_keys);

	memset(&table, 0, sizeof(table));
	table_add("new", KEY_B, 0);
	table_add("old", KEY_A, 2000);
	struct secret_keys *keys = secret_keys_from_store(&fake_store);
	assert_non_null(keys);
	assert_int_equal(table.inserts, 0);
	assert_int_equal(secret_keys_check(keys, old_hash, "s"), SECRET_MAC_MATCH);
	char hash[SECRET_MAC_HASH_SIZE];
	assert_int_equal(secret_keys_hash(keys, "s", hash), 0);
	assert_memory_equal(hash, "hmac-sha256$new$", 16);
	secret_keys_free(keys);
}

static void test_unknown_key_ids_and_unknown_clients_fail_like_wrong_secrets(void **state)
{
	(void)state;
	table_add("k1", KEY_A, 0);
	struct secret_keys *keys = secret_keys_from_store(&fake_store);
	assert_non_null(keys);
	assert_int_equal(secret_keys_check(keys, "hmac-sha256$k9$KamXjWrsmYs151uu-ADrH7qMRbxuHegkTsE6DC5Pxb8",
	                                   "correct-device-secret"),
	                 SECRET_MAC_MISMATCH);
	assert_int_equal(secret_keys_check(keys, "hmac-sha256$k1$KamXjWrsmYs151uu-ADrH7qMRbxuHegkTsE6DC5Pxb8",
	                                   "correct-device-secret"),
	                 SECRET_MAC_MATCH);
	assert_int_equal(secret_keys_check(keys, "$argon2id$v=19$...", "x"), SECRET_MAC_MALFORMED);
	assert_int_equal(secret_keys_check_nothing(keys, "correct-device-secret"), SECRET_MAC_MISMATCH);
	assert_int_equal(secret_keys_check_nothing(keys, ""), SECRET_MAC_MISMATCH);
	secret_keys_free(keys);
}

static void test_an_unreadable_current_key_is_refused(void **state)
{
	(void)state;
	table_add("k1", "not a key", 0);
	assert_null(secret_keys_from_store(&fake_store));
	assert_int_equal(table.inserts, 0); /* never replaced behind the operator's back */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_an_empty_table_gets_its_first_key, reset),
	    cmocka_unit_test_setup(test_losing_the_race_reads_the_winners_key, reset),
	    cmocka_unit_test_setup(test_a_retired_key_still_checks_and_new_hashes_use_the_current_one, reset),
	    cmocka_unit_test_setup(test_unknown_key_ids_and_unknown_clients_fail_like_wrong_secrets, reset),
	    cmocka_unit_test_setup(test_an_unreadable_current_key_is_refused, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
