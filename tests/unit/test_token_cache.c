/* The verified-token cache: hits, expiry, collisions and exact matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "auth/token_cache.h"

static struct principal principal_for(const char *subject, int64_t expires_at)
{
	struct principal p = {0};
	p.role = ROLE_ADMIN;
	snprintf(p.subject, sizeof(p.subject), "%s", subject);
	p.expires_at = expires_at;
	return p;
}

static void test_stored_token_is_found_until_it_expires(void **state)
{
	struct token_cache *cache = token_cache_new(64);
	struct principal p = principal_for("a", 1000), out;
	token_cache_store(cache, "token-a", 7, &p);
	assert_true(token_cache_lookup(cache, "token-a", 7, 999, &out));
	assert_string_equal(out.subject, "a");
	assert_false(token_cache_lookup(cache, "token-a", 7, 1000, &out));
	assert_false(token_cache_lookup(cache, "token-a", 7, 10, &out)); /* expired entries are dropped */
	token_cache_free(cache);
}

static void test_prefix_or_longer_token_does_not_match(void **state)
{
	struct token_cache *cache = token_cache_new(64);
	struct principal p = principal_for("a", 1000), out;
	token_cache_store(cache, "token-a", 7, &p);
	assert_false(token_cache_lookup(cache, "token-", 6, 1, &out));
	assert_false(token_cache_lookup(cache, "token-ab", 8, 1, &out));
	assert_false(token_cache_lookup(cache, "token-b", 7, 1, &out));
	token_cache_free(cache);
}

static void test_many_tokens_stay_bounded_and_recent_ones_hit(void **state)
{
	struct token_cache *cache = token_cache_new(64);
	char token[32];
	for (int i = 0; i < 10000; i++) {
		snprintf(token, sizeof(token), "token-%d", i);
		struct principal p = principal_for("x", 5000);
		token_cache_store(cache, token, strlen(token), &p);
	}
	struct principal out;
	assert_true(token_cache_lookup(cache, "token-9999", 10, 1, &out));
	token_cache_free(cache);
}

/* A fleet of device tokens well under the capacity all stay: no two thrash on a shared slot. */
static void test_fleet_of_tokens_all_hit(void **state)
{
	struct token_cache *cache = token_cache_new(65536);
	char token[64];
	for (int i = 0; i < 5000; i++) {
		snprintf(token, sizeof(token), "device-token-%d-signature", i);
		struct principal p = principal_for("x", 5000 + i);
		token_cache_store(cache, token, strlen(token), &p);
	}
	struct principal out;
	for (int i = 0; i < 5000; i++) {
		snprintf(token, sizeof(token), "device-token-%d-signature", i);
		assert_true(token_cache_lookup(cache, token, strlen(token), 1, &out));
		assert_int_equal(out.expires_at, 5000 + i);
	}
	token_cache_free(cache);
}

/* A full set gives up the token that expires first, and a stored token replaces its own entry. */
static void test_full_set_evicts_the_token_expiring_first(void **state)
{
	struct token_cache *cache = token_cache_new(64); /* 16 sets of 4 */
	char token[64];
	/* Tokens differ in their last bytes (what the hash reads); fill well past one set's ways. */
	for (int i = 0; i < 400; i++) {
		snprintf(token, sizeof(token), "t-%03d", i);
		struct principal p = principal_for("x", i == 7 ? 100000 : 1000 + i);
		token_cache_store(cache, token, strlen(token), &p);
	}
	struct principal out;
	assert_true(token_cache_lookup(cache, "t-007", 5, 1, &out)); /* the longest-lived survives */
	assert_true(token_cache_lookup(cache, "t-399", 5, 1, &out)); /* the newest was placed */
	struct principal again = principal_for("y", 200000);
	token_cache_store(cache, "t-399", 5, &again);
	assert_true(token_cache_lookup(cache, "t-399", 5, 1, &out));
	assert_string_equal(out.subject, "y");
	token_cache_free(cache);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stored_token_is_found_until_it_expires),
	    cmocka_unit_test(test_prefix_or_longer_token_does_not_match),
	    cmocka_unit_test(test_many_tokens_stay_bounded_and_recent_ones_hit),
	    cmocka_unit_test(test_fleet_of_tokens_all_hit),
	    cmocka_unit_test(test_full_set_evicts_the_token_expiring_first),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
