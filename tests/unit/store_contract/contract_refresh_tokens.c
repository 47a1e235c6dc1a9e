/* Store contract: refresh tokens — written for a user that exists and whose tokens were not revoked
 * after the sign-in, read back field for field, rotated once only (a second rotation of the same
 * token is a conflict and writes nothing), their chain revoked at once, pruned by expiry, and ended
 * with the user: by a change that ends its tokens and by its deletion. */
#include "contract.h"

#include <stdio.h>
#include <string.h>

/* A token of user in a fresh chain, begun at CONTRACT_TIME, expiring an hour later. */
static void make_token(const struct user *user, const char *client_id, struct refresh_token *out)
{
	memset(out, 0, sizeof(*out));
	contract_new_id(out->id);
	contract_new_id(out->chain_id);
	memcpy(out->user_id, user->id, sizeof(out->user_id));
	snprintf(out->client_id, sizeof(out->client_id), "%s", client_id);
	snprintf(out->secret_hash, sizeof(out->secret_hash), "hmac-sha256$k1$secret-of-%s", out->id);
	out->chain_started_ms = CONTRACT_TIME * 1000 + 250;
	out->issued_at = CONTRACT_TIME;
	out->expires_at = CONTRACT_TIME + 3600;
}

/* The successor of token: same chain, user and client, a fresh id and secret, issued at `at`. */
static void make_successor(const struct refresh_token *token, int64_t at, struct refresh_token *out)
{
	*out = *token;
	contract_new_id(out->id);
	snprintf(out->secret_hash, sizeof(out->secret_hash), "hmac-sha256$k1$secret-of-%s", out->id);
	out->issued_at = at;
	out->expires_at = at + 3600;
	out->used_at = 0;
}

static void assert_token_equal(const struct refresh_token *expected, const struct refresh_token *actual)
{
	assert_string_equal(actual->id, expected->id);
	assert_string_equal(actual->chain_id, expected->chain_id);
	assert_string_equal(actual->user_id, expected->user_id);
	assert_string_equal(actual->client_id, expected->client_id);
	assert_string_equal(actual->secret_hash, expected->secret_hash);
	assert_int_equal(actual->chain_started_ms, expected->chain_started_ms);
	assert_int_equal(actual->issued_at, expected->issued_at);
	assert_int_equal(actual->expires_at, expected->expires_at);
	assert_int_equal(actual->used_at, expected->used_at);
}

static void test_refresh_token_insert_and_get_every_field(void **state)
{
	struct store *store = contract_store(state);
	struct user user;
	contract_add_user(store, "", ROLE_OPERATOR, &user);
	struct refresh_token token, read;
	make_token(&user, "fleet-dashboard", &token);
	assert_store_result(store->ops->refresh_token_insert(store, &token), STORE_OK);
	assert_store_result(store->ops->refresh_token_get(store, token.id, &read), STORE_OK);
	assert_token_equal(&token, &read);

	struct refresh_token without_client;
	make_token(&user, "", &without_client);
	assert_store_result(store->ops->refresh_token_insert(store, &without_client), STORE_OK);
	assert_store_result(store->ops->refresh_token_get(store, without_client.id, &read), STORE_OK);
	assert_string_equal(read.client_id, "");

	char unknown[UUID_BUFFER_SIZE];
	contract_new_id(unknown);
	assert_store_result(store->ops->refresh_token_get(store, unknown, &read), STORE_NOT_FOUND);
}

static void test_refresh_token_insert_for_a_missing_or_revoked_user_is_not_found(void **state)
{
	struct store *store = contract_store(state);
	struct user ghost;
	memset(&ghost, 0, sizeof(ghost));
	contract_new_id(ghost.id);
	struct refresh_token token, read;
	make_token(&ghost, "", &token);
	assert_store_result(store->ops->refresh_token_insert(store, &token), STORE_NOT_FOUND);
	assert_store_result(store->ops->refresh_token_get(store, token.id, &read), STORE_NOT_FOUND);

	struct user user;
	contract_add_user(store, "", ROLE_OPERATOR, &user);
	make_token(&user, "", &token);
	/* the user's password changed after the sign-in began: its tokens from before are refused */
	assert_store_result(store->ops->user_update(store, &user, token.chain_started_ms + 1), STORE_OK);
	assert_store_result(store->ops->refresh_token_insert(store, &token), STORE_NOT_FOUND);
	assert_store_result(store->ops->refresh_token_get(store, token.id, &read), STORE_NOT_FOUND);
	/* a change before the sign-in does not matter */
	struct user other;
	contract_add_user(store, "", ROLE_OPERATOR, &other);
	make_token(&other, "", &token);
	assert_store_result(store->ops->user_update(store, &other, token.chain_started_ms), STORE_OK);
	assert_store_result(store->ops->refresh_token_insert(store, &token), STORE_OK);
}

static void test_refresh_token_rotates_once(void **state)
{
	struct store *store = contract_store(state);
	struct user user;
	contract_add_user(store, "", ROLE_OPERATOR, &user);
	struct refresh_token first, second, again, read;
	make_token(&user, "fleet-dashboard", &first);
	assert_store_result(store->ops->refresh_token_insert(store, &first), STORE_OK);
	make_successor(&first, CONTRACT_TIME + 60, &second);
	assert_store_result(store->ops->refresh_token_rotate(store, first.id, CONTRACT_TIME + 60, &second), STORE_OK);
	assert_store_result(store->ops->refresh_token_get(store, first.id, &read), STORE_OK);
	assert_int_equal(read.used_at, CONTRACT_TIME + 60);
	assert_store_result(store->ops->refresh_token_get(store, second.id, &read), STORE_OK);
	assert_token_equal(&second, &read);

	/* the used token again: a conflict, and its would-be successor is not written */
	make_successor(&first, CONTRACT_TIME + 120, &again);
	assert_store_result(store->ops->refresh_token_rotate(store, first.id, CONTRACT_TIME + 120, &again),
	                    STORE_CONFLICT);
	assert_store_result(store->ops->refresh_token_get(store, again.id, &read), STORE_NOT_FOUND);
	assert_store_result(store->ops->refresh_token_get(store, first.id, &read), STORE_OK);
	assert_int_equal(read.used_at, CONTRACT_TIME + 60);

	/* a token that does not exist */
	char unknown[UUID_BUFFER_SIZE];
	contract_new_id(unknown);
	make_successor(&second, CONTRACT_TIME + 120, &again);
	assert_store_result(store->ops->refresh_token_rotate(store, unknown, CONTRACT_TIME + 120, &again),
	                    STORE_NOT_FOUND);
	assert_store_result(store->ops->refresh_token_get(store, again.id, &read), STORE_NOT_FOUND);
}

static void test_refresh_token_revoke_chain_deletes_only_that_chain(void **state)
{
	struct store *store = contract_store(state);
	struct user user;
	contract_add_user(store, "", ROLE_OPERATOR, &user);
	struct refresh_token first, second, other, read;
	make_token(&user, "", &first);
	make_token(&user, "", &other);
	assert_store_result(store->ops->refresh_token_insert(store, &first), STORE_OK);
	assert_store_result(store->ops->refresh_token_insert(store, &other), STORE_OK);
	make_successor(&first, CONTRACT_TIME + 60, &second);
	assert_store_result(store->ops->refresh_token_rotate(store, first.id, CONTRACT_TIME + 60, &second), STORE_OK);
	assert_store_result(store->ops->refresh_token_revoke_chain(store, first.chain_id), STORE_OK);
	assert_store_result(store->ops->refresh_token_get(store, first.id, &read), STORE_NOT_FOUND);
	assert_store_result(store->ops->refresh_token_get(store, second.id, &read), STORE_NOT_FOUND);
	assert_store_result(store->ops->refresh_token_get(store, other.id, &read), STORE_OK);
	/* the successor of a revoked token cannot be had */
	struct refresh_token third;
	make_successor(&second, CONTRACT_TIME + 120, &third);
	assert_store_result(store->ops->refresh_token_rotate(store, second.id, CONTRACT_TIME + 120, &third),
	                    STORE_NOT_FOUND);
}

static void test_refresh_tokens_end_with_a_user_change_and_deletion(void **state)
{
	struct store *store = contract_store(state);
	struct user changed, deleted, kept;
	contract_add_user(store, "", ROLE_OPERATOR, &changed);
	contract_add_user(store, "", ROLE_OPERATOR, &deleted);
	contract_add_user(store, "", ROLE_OPERATOR, &kept);
	struct refresh_token of_changed, of_deleted, of_kept, next, read;
	make_token(&changed, "", &of_changed);
	make_token(&deleted, "", &of_deleted);
	make_token(&kept, "", &of_kept);
	assert_store_result(store->ops->refresh_token_insert(store, &of_changed), STORE_OK);
	assert_store_result(store->ops->refresh_token_insert(store, &of_deleted), STORE_OK);
	assert_store_result(store->ops->refresh_token_insert(store, &of_kept), STORE_OK);

	/* a change that keeps the tokens (no stamp) keeps the refresh tokens too */
	assert_store_result(store->ops->user_update(store, &kept, 0), STORE_OK);
	assert_store_result(store->ops->refresh_token_get(store, of_kept.id, &read), STORE_OK);

	assert_store_result(store->ops->user_update(store, &changed, CONTRACT_TIME * 1000 + 500), STORE_OK);
	assert_store_result(store->ops->refresh_token_get(store, of_changed.id, &read), STORE_NOT_FOUND);
	make_successor(&of_changed, CONTRACT_TIME + 60, &next);
	assert_store_result(store->ops->refresh_token_rotate(store, of_changed.id, CONTRACT_TIME + 60, &next),
	                    STORE_NOT_FOUND);

	assert_store_result(store->ops->user_delete(store, deleted.id, CONTRACT_TIME * 1000 + 500), STORE_OK);
	assert_store_result(store->ops->refresh_token_get(store, of_deleted.id, &read), STORE_NOT_FOUND);
	assert_store_result(store->ops->refresh_token_get(store, of_kept.id, &read), STORE_OK);
}

/* Signing in again and again keeps the user's REFRESH_CHAINS_PER_USER newest sign-ins, with
 * every token of each (used ones too), and ends the older ones. */
static void test_a_user_keeps_only_its_newest_sign_ins(void **state)
{
	struct store *store = contract_store(state);
	struct user user, other;
	contract_add_user(store, "", ROLE_OPERATOR, &user);
	contract_add_user(store, "", ROLE_OPERATOR, &other);
	struct refresh_token others;
	make_token(&other, "", &others);
	assert_store_result(store->ops->refresh_token_insert(store, &others), STORE_OK);
	enum { SIGN_INS = REFRESH_CHAINS_PER_USER + 2 };
	static struct refresh_token first[SIGN_INS];
	struct refresh_token successor, read;
	for (int i = 0; i < SIGN_INS; i++) {
		make_token(&user, "", &first[i]);
		first[i].chain_started_ms += i; /* each sign-in later than the one before */
		assert_store_result(store->ops->refresh_token_insert(store, &first[i]), STORE_OK);
		if (i == SIGN_INS - 1) /* the newest chain has a used token and its successor */
			make_successor(&first[i], CONTRACT_TIME + 60, &successor);
	}
	assert_store_result(
	    store->ops->refresh_token_rotate(store, first[SIGN_INS - 1].id, CONTRACT_TIME + 60, &successor), STORE_OK);
	for (int i = 0; i < SIGN_INS; i++)
		assert_store_result(store->ops->refresh_token_get(store, first[i].id, &read),
		                    i < SIGN_INS - REFRESH_CHAINS_PER_USER ? STORE_NOT_FOUND : STORE_OK);
	assert_store_result(store->ops->refresh_token_get(store, successor.id, &read), STORE_OK);
	assert_store_result(store->ops->refresh_token_get(store, others.id, &read), STORE_OK);
}

static void test_refresh_token_prune_takes_the_expired_only(void **state)
{
	struct store *store = contract_store(state);
	struct user user;
	contract_add_user(store, "", ROLE_OPERATOR, &user);
	struct refresh_token expired, live, read;
	make_token(&user, "", &expired);
	make_token(&user, "", &live);
	expired.expires_at = CONTRACT_TIME - 1;
	live.expires_at = CONTRACT_TIME;
	assert_store_result(store->ops->refresh_token_insert(store, &expired), STORE_OK);
	assert_store_result(store->ops->refresh_token_insert(store, &live), STORE_OK);
	assert_store_result(store->ops->refresh_token_prune(store, CONTRACT_TIME), STORE_OK);
	assert_store_result(store->ops->refresh_token_get(store, expired.id, &read), STORE_NOT_FOUND);
	assert_store_result(store->ops->refresh_token_get(store, live.id, &read), STORE_OK);
}

struct contract_tests contract_refresh_token_tests(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_refresh_token_insert_and_get_every_field),
	    cmocka_unit_test(test_refresh_token_insert_for_a_missing_or_revoked_user_is_not_found),
	    cmocka_unit_test(test_refresh_token_rotates_once),
	    cmocka_unit_test(test_refresh_token_revoke_chain_deletes_only_that_chain),
	    cmocka_unit_test(test_refresh_tokens_end_with_a_user_change_and_deletion),
	    cmocka_unit_test(test_refresh_token_prune_takes_the_expired_only),
	    cmocka_unit_test(test_a_user_keeps_only_its_newest_sign_ins),
	};
	return CONTRACT_TESTS(tests);
}
