/* Store contract: what the token service keeps — signing keys (one current key, rotation that retires
 * it in one transaction and refuses a second rotation of the same key, forgetting old retired keys;
 * each test on a new, empty store), the keys of the keyed secret hashes (one current key, a racing
 * second insert refused) and per-subject token revocation stamps (written by user_update,
 * user_delete and client_delete, listed in change order, pruned by age). */
#include "contract.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/timeutil.h"

/* ---- signing keys ------------------------------------------------------------------------------- */

#define KEYS_MAX 8

struct key_copy {
	char kid[64], private_pem[64], public_pem[64];
	int64_t created_at, retired_at;
};

struct key_listing {
	size_t count;
	struct key_copy keys[KEYS_MAX];
};

static int copy_key(void *context, const struct signing_key_record *key)
{
	struct key_listing *listing = context;
	assert_true(listing->count < KEYS_MAX);
	struct key_copy *copy = &listing->keys[listing->count++];
	snprintf(copy->kid, sizeof(copy->kid), "%s", key->kid);
	snprintf(copy->private_pem, sizeof(copy->private_pem), "%s", key->private_pem);
	snprintf(copy->public_pem, sizeof(copy->public_pem), "%s", key->public_pem);
	copy->created_at = key->created_at;
	copy->retired_at = key->retired_at;
	return 0;
}

static void assert_key(const struct key_copy *key, const char *kid, const char *private_pem, const char *public_pem,
                       int64_t created_at, int64_t retired_at)
{
	assert_string_equal(key->kid, kid);
	assert_string_equal(key->private_pem, private_pem);
	assert_string_equal(key->public_pem, public_pem);
	assert_int_equal(key->created_at, created_at);
	assert_int_equal(key->retired_at, retired_at);
}

static void assert_current_key(struct store *store, const char *kid)
{
	char current[64];
	assert_store_result(store->ops->signing_key_current(store, current, sizeof(current)), STORE_OK);
	assert_string_equal(current, kid);
}

static void test_signing_keys_of_an_empty_store(void **state)
{
	struct store *store = contract_scratch_store(state);
	char current[64];
	assert_store_result(store->ops->signing_key_current(store, current, sizeof(current)), STORE_NOT_FOUND);
	struct key_listing listing = {0};
	assert_store_result(store->ops->signing_key_list(store, copy_key, &listing), STORE_OK);
	assert_int_equal(listing.count, 0);
}

static void test_signing_key_insert_makes_the_current_key(void **state)
{
	struct store *store = contract_scratch_store(state);
	assert_store_result(store->ops->signing_key_insert(store, "kid-1", "PRIVATE 1", "PUBLIC 1", CONTRACT_TIME),
	                    STORE_OK);
	assert_current_key(store, "kid-1");
	struct key_listing listing = {0};
	assert_store_result(store->ops->signing_key_list(store, copy_key, &listing), STORE_OK);
	assert_int_equal(listing.count, 1);
	assert_key(&listing.keys[0], "kid-1", "PRIVATE 1", "PUBLIC 1", CONTRACT_TIME, 0);
}

static void test_signing_key_second_current_key_is_conflict(void **state)
{
	struct store *store = contract_scratch_store(state);
	assert_store_result(store->ops->signing_key_insert(store, "kid-1", "PRIVATE 1", "PUBLIC 1", CONTRACT_TIME),
	                    STORE_OK);
	assert_store_result(store->ops->signing_key_insert(store, "kid-1", "PRIVATE X", "PUBLIC X", CONTRACT_TIME + 1),
	                    STORE_CONFLICT);
	/* the node that lost the race to create the first key must be told so, to read the winner's */
	enum store_result second =
	    store->ops->signing_key_insert(store, "kid-2", "PRIVATE 2", "PUBLIC 2", CONTRACT_TIME + 1);
	assert_store_result(second, STORE_CONFLICT);
	assert_current_key(store, "kid-1");
	struct key_listing listing = {0};
	assert_store_result(store->ops->signing_key_list(store, copy_key, &listing), STORE_OK);
	assert_int_equal(listing.count, 1);
}

static void test_signing_key_rotate_retires_and_forgets(void **state)
{
	struct store *store = contract_scratch_store(state);
	assert_store_result(store->ops->signing_key_insert(store, "kid-1", "PRIVATE 1", "PUBLIC 1", CONTRACT_TIME),
	                    STORE_OK);
	assert_store_result(store->ops->signing_key_rotate(store, "kid-1", "DERIVED 1", "kid-2", "PRIVATE 2",
	                                                   "PUBLIC 2", CONTRACT_TIME + 100, 0),
	                    STORE_OK);
	assert_current_key(store, "kid-2");
	struct key_listing listing = {0};
	assert_store_result(store->ops->signing_key_list(store, copy_key, &listing), STORE_OK);
	assert_int_equal(listing.count, 2); /* newest first; the retired key keeps its stored public part */
	assert_key(&listing.keys[0], "kid-2", "PRIVATE 2", "PUBLIC 2", CONTRACT_TIME + 100, 0);
	assert_key(&listing.keys[1], "kid-1", "", "PUBLIC 1", CONTRACT_TIME, CONTRACT_TIME + 100);

	/* keys retired before forget_before go */
	assert_store_result(store->ops->signing_key_rotate(store, "kid-2", "DERIVED 2", "kid-3", "PRIVATE 3",
	                                                   "PUBLIC 3", CONTRACT_TIME + 200, CONTRACT_TIME + 150),
	                    STORE_OK);
	assert_current_key(store, "kid-3");
	listing = (struct key_listing){0};
	assert_store_result(store->ops->signing_key_list(store, copy_key, &listing), STORE_OK);
	assert_int_equal(listing.count, 2);
	assert_key(&listing.keys[0], "kid-3", "PRIVATE 3", "PUBLIC 3", CONTRACT_TIME + 200, 0);
	assert_key(&listing.keys[1], "kid-2", "", "PUBLIC 2", CONTRACT_TIME + 100, CONTRACT_TIME + 200);
}

static void test_signing_key_rotate_of_a_retired_key_is_conflict(void **state)
{
	struct store *store = contract_scratch_store(state);
	assert_store_result(store->ops->signing_key_insert(store, "kid-1", "PRIVATE 1", "PUBLIC 1", CONTRACT_TIME),
	                    STORE_OK);
	assert_store_result(store->ops->signing_key_rotate(store, "kid-1", "DERIVED 1", "kid-2", "PRIVATE 2",
	                                                   "PUBLIC 2", CONTRACT_TIME + 100, 0),
	                    STORE_OK);
	/* another node rotated kid-1 first: this rotation changes nothing */
	assert_store_result(store->ops->signing_key_rotate(store, "kid-1", "DERIVED 1", "kid-3", "PRIVATE 3",
	                                                   "PUBLIC 3", CONTRACT_TIME + 101, CONTRACT_TIME + 1000),
	                    STORE_CONFLICT);
	assert_store_result(store->ops->signing_key_rotate(store, "kid-unknown", "", "kid-4", "PRIVATE 4", "PUBLIC 4",
	                                                   CONTRACT_TIME + 102, CONTRACT_TIME + 1000),
	                    STORE_CONFLICT);
	assert_current_key(store, "kid-2");
	struct key_listing listing = {0};
	assert_store_result(store->ops->signing_key_list(store, copy_key, &listing), STORE_OK);
	assert_int_equal(listing.count, 2);
	assert_key(&listing.keys[0], "kid-2", "PRIVATE 2", "PUBLIC 2", CONTRACT_TIME + 100, 0);
	assert_key(&listing.keys[1], "kid-1", "", "PUBLIC 1", CONTRACT_TIME, CONTRACT_TIME + 100);
}

/* ---- secret hash keys --------------------------------------------------------------------------- */

struct secret_key_listing {
	size_t count;
	char id[KEYS_MAX][64], key_text[KEYS_MAX][64];
	int64_t created_at[KEYS_MAX], retired_at[KEYS_MAX];
};

static int copy_secret_key(void *context, const struct secret_hash_key_record *key)
{
	struct secret_key_listing *listing = context;
	assert_true(listing->count < KEYS_MAX);
	size_t i = listing->count++;
	snprintf(listing->id[i], sizeof(listing->id[i]), "%s", key->id);
	snprintf(listing->key_text[i], sizeof(listing->key_text[i]), "%s", key->key_text);
	listing->created_at[i] = key->created_at;
	listing->retired_at[i] = key->retired_at;
	return 0;
}

static void test_secret_hash_keys_insert_one_current_key(void **state)
{
	struct store *store = contract_scratch_store(state);
	struct secret_key_listing listing = {0};
	assert_store_result(store->ops->secret_hash_key_list(store, copy_secret_key, &listing), STORE_OK);
	assert_int_equal(listing.count, 0);
	assert_store_result(store->ops->secret_hash_key_insert(store, "key-1", "TEXT 1", CONTRACT_TIME), STORE_OK);
	/* the node that lost the race to create the first key must be told so, to read the winner's */
	assert_store_result(store->ops->secret_hash_key_insert(store, "key-2", "TEXT 2", CONTRACT_TIME + 1),
	                    STORE_CONFLICT);
	assert_store_result(store->ops->secret_hash_key_insert(store, "key-1", "TEXT X", CONTRACT_TIME + 1),
	                    STORE_CONFLICT);
	assert_store_result(store->ops->secret_hash_key_list(store, copy_secret_key, &listing), STORE_OK);
	assert_int_equal(listing.count, 1);
	assert_string_equal(listing.id[0], "key-1");
	assert_string_equal(listing.key_text[0], "TEXT 1");
	assert_int_equal(listing.created_at[0], CONTRACT_TIME);
	assert_int_equal(listing.retired_at[0], 0);
}

/* ---- token revocations ------------------------------------------------------------------------- */

/* What a listing held for one subject, and the order of the rows it handed out. */
struct revocation_search {
	const char *subject_id;
	bool found;
	struct token_revocation row;
	size_t rows;
	int64_t last_changed_at_ms;
	bool out_of_order;
};

static int find_revocation(void *context, const struct token_revocation *row)
{
	struct revocation_search *search = context;
	if (search->rows++ > 0 && row->changed_at_ms < search->last_changed_at_ms)
		search->out_of_order = true;
	search->last_changed_at_ms = row->changed_at_ms;
	if (strcmp(row->subject_id, search->subject_id) == 0) {
		assert_false(search->found); /* one row per subject */
		search->found = true;
		search->row = *row;
	}
	return 0;
}

/* The subject's row among those changed after changed_after_ms; false when there is none. */
static bool revocation_of(struct store *store, const char *subject_id, int64_t changed_after_ms,
                          struct token_revocation *out)
{
	struct revocation_search search = {.subject_id = subject_id};
	assert_store_result(store->ops->token_revocation_list(store, changed_after_ms, find_revocation, &search),
	                    STORE_OK);
	assert_false(search.out_of_order);
	if (search.found)
		*out = search.row;
	return search.found;
}

static void test_user_update_writes_the_later_revocation_stamp(void **state)
{
	struct store *store = contract_store(state);
	struct user user;
	contract_add_user(store, "", ROLE_OPERATOR, &user);
	int64_t before = time_now_millis();
	struct token_revocation row, earlier;
	assert_store_result(store->ops->user_update(store, &user, 0), STORE_OK);
	assert_false(revocation_of(store, user.id, 0, &row)); /* 0: no stamp to write */

	assert_store_result(store->ops->user_update(store, &user, before + 5000), STORE_OK);
	assert_true(revocation_of(store, user.id, 0, &row));
	assert_int_equal(row.valid_from_ms, before + 5000);
	assert_in_range(row.changed_at_ms, before, time_now_millis());
	earlier = row;

	assert_store_result(store->ops->user_update(store, &user, before + 1000), STORE_OK);
	assert_true(revocation_of(store, user.id, 0, &row));
	assert_int_equal(row.valid_from_ms, before + 5000); /* the later stamp is kept */
	assert_true(row.changed_at_ms >= earlier.changed_at_ms);

	assert_store_result(store->ops->user_update(store, &user, before + 9000), STORE_OK);
	assert_true(revocation_of(store, user.id, 0, &row));
	assert_int_equal(row.valid_from_ms, before + 9000);

	struct user unknown = user;
	contract_new_id(unknown.id);
	assert_store_result(store->ops->user_update(store, &unknown, before + 9000), STORE_NOT_FOUND);
	assert_false(revocation_of(store, unknown.id, 0, &row));
}

static void test_deletes_write_revocation_stamps(void **state)
{
	struct store *store = contract_store(state);
	struct user user, quiet_user;
	struct client client, quiet_client;
	contract_add_user(store, "", ROLE_OPERATOR, &user);
	contract_add_user(store, "", ROLE_OPERATOR, &quiet_user);
	contract_add_client(store, "", ROLE_OPERATOR, &client);
	contract_add_client(store, "", ROLE_OPERATOR, &quiet_client);
	int64_t before = time_now_millis();
	assert_store_result(store->ops->user_delete(store, user.id, before + 100), STORE_OK);
	assert_store_result(store->ops->client_delete(store, client.id, before + 200), STORE_OK);
	assert_store_result(store->ops->user_delete(store, quiet_user.id, 0), STORE_OK);
	assert_store_result(store->ops->client_delete(store, quiet_client.id, 0), STORE_OK);
	struct token_revocation row;
	assert_true(revocation_of(store, user.id, before - 1, &row));
	assert_int_equal(row.valid_from_ms, before + 100);
	assert_in_range(row.changed_at_ms, before, time_now_millis());
	assert_true(revocation_of(store, client.id, before - 1, &row));
	assert_int_equal(row.valid_from_ms, before + 200);
	assert_false(revocation_of(store, quiet_user.id, 0, &row));
	assert_false(revocation_of(store, quiet_client.id, 0, &row));
	/* deleting what is not there writes nothing */
	char unknown[UUID_BUFFER_SIZE];
	contract_new_id(unknown);
	assert_store_result(store->ops->user_delete(store, unknown, before + 100), STORE_NOT_FOUND);
	assert_store_result(store->ops->client_delete(store, unknown, before + 100), STORE_NOT_FOUND);
	assert_false(revocation_of(store, unknown, 0, &row));
}

static void test_token_revocation_get_reads_one_subjects_stamp(void **state)
{
	struct store *store = contract_store(state);
	struct user user, other;
	contract_add_user(store, "", ROLE_OPERATOR, &user);
	contract_add_user(store, "", ROLE_OPERATOR, &other);
	int64_t before = time_now_millis();
	int64_t stamp = -1;
	assert_store_result(store->ops->token_revocation_get(store, user.id, &stamp), STORE_NOT_FOUND);
	assert_int_equal(stamp, 0);
	assert_store_result(store->ops->user_update(store, &user, before + 700), STORE_OK);
	assert_store_result(store->ops->token_revocation_get(store, user.id, &stamp), STORE_OK);
	assert_int_equal(stamp, before + 700);
	assert_store_result(store->ops->user_update(store, &user, before + 300), STORE_OK); /* the later is kept */
	assert_store_result(store->ops->token_revocation_get(store, user.id, &stamp), STORE_OK);
	assert_int_equal(stamp, before + 700);
	assert_store_result(store->ops->token_revocation_get(store, other.id, &stamp), STORE_NOT_FOUND);
}

/* Waits until the millisecond clock has moved on, so that the next write gets a later changed_at. */
static void next_millisecond(void)
{
	int64_t now = time_now_millis();
	while (time_now_millis() <= now)
		nanosleep(&(struct timespec){.tv_nsec = 200000}, NULL);
}

static void test_token_revocation_list_and_prune_by_change_time(void **state)
{
	struct store *store = contract_store(state);
	struct user users[3];
	struct token_revocation rows[3];
	for (int i = 0; i < 3; i++) {
		contract_add_user(store, "", ROLE_OPERATOR, &users[i]);
		next_millisecond();
		assert_store_result(store->ops->user_update(store, &users[i], CONTRACT_TIME * 1000 + i), STORE_OK);
		assert_true(revocation_of(store, users[i].id, 0, &rows[i]));
	}
	assert_true(rows[0].changed_at_ms < rows[1].changed_at_ms && rows[1].changed_at_ms < rows[2].changed_at_ms);
	/* only rows changed after the given time */
	struct token_revocation row;
	assert_false(revocation_of(store, users[0].id, rows[0].changed_at_ms, &row));
	assert_true(revocation_of(store, users[1].id, rows[0].changed_at_ms, &row));
	assert_int_equal(row.changed_at_ms, rows[1].changed_at_ms);
	assert_int_equal(row.valid_from_ms, CONTRACT_TIME * 1000 + 1);
	assert_true(revocation_of(store, users[2].id, rows[0].changed_at_ms, &row));

	/* pruning takes the rows changed before the given time, not at it */
	assert_store_result(store->ops->token_revocation_prune(store, rows[1].changed_at_ms), STORE_OK);
	assert_false(revocation_of(store, users[0].id, 0, &row));
	assert_true(revocation_of(store, users[1].id, 0, &row));
	assert_true(revocation_of(store, users[2].id, 0, &row));
	assert_store_result(store->ops->token_revocation_prune(store, rows[2].changed_at_ms + 1), STORE_OK);
	assert_false(revocation_of(store, users[1].id, 0, &row));
	assert_false(revocation_of(store, users[2].id, 0, &row));
}

struct contract_tests contract_token_tests(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_signing_keys_of_an_empty_store),
	    cmocka_unit_test(test_signing_key_insert_makes_the_current_key),
	    cmocka_unit_test(test_signing_key_second_current_key_is_conflict),
	    cmocka_unit_test(test_signing_key_rotate_retires_and_forgets),
	    cmocka_unit_test(test_signing_key_rotate_of_a_retired_key_is_conflict),
	    cmocka_unit_test(test_secret_hash_keys_insert_one_current_key),
	    cmocka_unit_test(test_user_update_writes_the_later_revocation_stamp),
	    cmocka_unit_test(test_deletes_write_revocation_stamps),
	    cmocka_unit_test(test_token_revocation_list_and_prune_by_change_time),
	    cmocka_unit_test(test_token_revocation_get_reads_one_subjects_stamp),
	};
	return CONTRACT_TESTS(tests);
}
