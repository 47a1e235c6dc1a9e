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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stored_token_is_found_until_it_expires),
		cmocka_unit_test(test_prefix_or_longer_token_does_not_match),
		cmocka_unit_test(test_many_tokens_stay_bounded_and_recent_ones_hit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
