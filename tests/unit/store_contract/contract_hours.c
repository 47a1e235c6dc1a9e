/* Store contract: site opening hours — the weekly schedule and exceptions by local date, kept as the
 * JSON text the API validated (handed back byte for byte), exceptions listed in date order, and the
 * per-site cap on exceptions (STORE_LIMIT for a new date, never for replacing one). */
#include "contract.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char WEEKLY[] = "{\"monday\":[{\"open\":\"08:30\",\"close\":\"12:00\"},"
                             "{\"open\":\"13:00\",\"close\":\"17:30\"}],\"saturday\":[{\"open\":\"22:00\","
                             "\"close\":\"02:00\"}],\"note\":\"caf\xc3\xa9 \\u00e9\"}";
static const char WEEKLY_CHANGED[] = "{\"sunday\":[{\"open\":\"00:00\",\"close\":\"24:00\"}]}";

/* Fails unless the weekly schedule of the site reads back as expected. */
static void assert_hours(struct store *store, const char *site_id, const char *expected)
{
	char *json = NULL;
	assert_store_result(store->ops->site_hours_get(store, site_id, &json), STORE_OK);
	assert_non_null(json);
	assert_string_equal(json, expected);
	free(json);
}

static void assert_exception(struct store *store, const char *site_id, const char *date, const char *expected)
{
	char *json = NULL;
	assert_store_result(store->ops->site_exception_get(store, site_id, date, &json), STORE_OK);
	assert_non_null(json);
	assert_string_equal(json, expected);
	free(json);
}

static void test_site_hours_put_get_and_replace(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	char *json = NULL;
	assert_store_result(store->ops->site_hours_get(store, place.site.id, &json), STORE_NOT_FOUND);
	assert_store_result(store->ops->site_hours_put(store, place.site.id, WEEKLY, CONTRACT_TIME), STORE_OK);
	assert_hours(store, place.site.id, WEEKLY);
	assert_store_result(store->ops->site_hours_put(store, place.site.id, WEEKLY_CHANGED, CONTRACT_TIME + 1),
	                    STORE_OK);
	assert_hours(store, place.site.id, WEEKLY_CHANGED);
	/* another site's schedule is its own */
	struct site other;
	contract_add_site(store, place.organisation.id, &other);
	assert_store_result(store->ops->site_hours_get(store, other.id, &json), STORE_NOT_FOUND);
}

static void test_site_hours_of_an_unknown_site_is_conflict(void **state)
{
	struct store *store = contract_store(state);
	char unknown[UUID_BUFFER_SIZE];
	contract_new_id(unknown);
	assert_store_result(store->ops->site_hours_put(store, unknown, WEEKLY, CONTRACT_TIME), STORE_CONFLICT);
	char *json = NULL;
	assert_store_result(store->ops->site_hours_get(store, unknown, &json), STORE_NOT_FOUND);
}

static void test_site_exception_put_get_replace_delete(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	char *json = NULL;
	assert_store_result(store->ops->site_exception_get(store, place.site.id, "2030-12-25", &json), STORE_NOT_FOUND);
	assert_store_result(store->ops->site_exception_put(store, place.site.id, "2030-12-25", "[]", CONTRACT_TIME, 5),
	                    STORE_OK);
	assert_exception(store, place.site.id, "2030-12-25", "[]");
	const char *intervals = "[{\"open\":\"10:00\",\"close\":\"14:00\"}]";
	assert_store_result(
	    store->ops->site_exception_put(store, place.site.id, "2030-12-25", intervals, CONTRACT_TIME + 1, 5),
	    STORE_OK);
	assert_exception(store, place.site.id, "2030-12-25", intervals);
	assert_store_result(store->ops->site_exception_get(store, place.site.id, "2030-12-26", &json), STORE_NOT_FOUND);

	assert_store_result(store->ops->site_exception_delete(store, place.site.id, "2030-12-25"), STORE_OK);
	assert_store_result(store->ops->site_exception_get(store, place.site.id, "2030-12-25", &json), STORE_NOT_FOUND);
	assert_store_result(store->ops->site_exception_delete(store, place.site.id, "2030-12-25"), STORE_NOT_FOUND);
}

static void test_site_exception_of_an_unknown_site_is_not_found(void **state)
{
	struct store *store = contract_store(state);
	char unknown[UUID_BUFFER_SIZE];
	contract_new_id(unknown);
	assert_store_result(store->ops->site_exception_put(store, unknown, "2030-01-01", "[]", CONTRACT_TIME, 5),
	                    STORE_NOT_FOUND);
	assert_store_result(store->ops->site_exception_delete(store, unknown, "2030-01-01"), STORE_NOT_FOUND);
}

#define LISTED_MAX 8

struct exception_listing {
	size_t count;
	size_t stop_after; /* 0: never */
	char dates[LISTED_MAX][16];
	char intervals[LISTED_MAX][64];
};

static int list_exception(void *context, const char *date, const char *intervals_json)
{
	struct exception_listing *listing = context;
	assert_true(listing->count < LISTED_MAX);
	snprintf(listing->dates[listing->count], sizeof(listing->dates[0]), "%s", date);
	snprintf(listing->intervals[listing->count], sizeof(listing->intervals[0]), "%s", intervals_json);
	listing->count++;
	return listing->stop_after != 0 && listing->count >= listing->stop_after;
}

static void test_site_exception_list_in_date_order(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	struct site other;
	contract_add_site(store, place.organisation.id, &other);
	const char *dates[] = {"2030-06-30", "2029-12-31", "2030-01-01"};
	const char *intervals[] = {"[{\"open\":\"09:00\",\"close\":\"12:00\"}]", "[]",
	                           "[{\"open\":\"22:00\",\"close\":\"02:00\"}]"};
	for (int i = 0; i < 3; i++)
		assert_store_result(
		    store->ops->site_exception_put(store, place.site.id, dates[i], intervals[i], CONTRACT_TIME, 10),
		    STORE_OK);
	assert_store_result(store->ops->site_exception_put(store, other.id, "2030-03-03", "[]", CONTRACT_TIME, 10),
	                    STORE_OK);

	struct exception_listing listing = {0};
	assert_store_result(store->ops->site_exception_list(store, place.site.id, list_exception, &listing), STORE_OK);
	assert_int_equal(listing.count, 3);
	assert_string_equal(listing.dates[0], "2029-12-31");
	assert_string_equal(listing.intervals[0], intervals[1]);
	assert_string_equal(listing.dates[1], "2030-01-01");
	assert_string_equal(listing.intervals[1], intervals[2]);
	assert_string_equal(listing.dates[2], "2030-06-30");
	assert_string_equal(listing.intervals[2], intervals[0]);

	listing = (struct exception_listing){.stop_after = 1};
	assert_store_result(store->ops->site_exception_list(store, place.site.id, list_exception, &listing), STORE_OK);
	assert_int_equal(listing.count, 1);

	char unknown[UUID_BUFFER_SIZE];
	contract_new_id(unknown);
	listing = (struct exception_listing){0};
	assert_store_result(store->ops->site_exception_list(store, unknown, list_exception, &listing), STORE_OK);
	assert_int_equal(listing.count, 0);
}

static void test_site_exception_cap_refuses_new_dates_only(void **state)
{
	struct store *store = contract_store(state);
	struct contract_place place;
	contract_add_place(store, &place);
	const unsigned cap = 3;
	const char *dates[] = {"2031-01-01", "2031-01-02", "2031-01-03"};
	for (unsigned i = 0; i < cap; i++)
		assert_store_result(
		    store->ops->site_exception_put(store, place.site.id, dates[i], "[]", CONTRACT_TIME, cap), STORE_OK);
	assert_store_result(
	    store->ops->site_exception_put(store, place.site.id, "2031-01-04", "[]", CONTRACT_TIME, cap), STORE_LIMIT);
	char *json = NULL;
	assert_store_result(store->ops->site_exception_get(store, place.site.id, "2031-01-04", &json), STORE_NOT_FOUND);
	/* replacing a date at the cap is no new row */
	const char *intervals = "[{\"open\":\"11:00\",\"close\":\"12:00\"}]";
	assert_store_result(
	    store->ops->site_exception_put(store, place.site.id, "2031-01-02", intervals, CONTRACT_TIME + 1, cap),
	    STORE_OK);
	assert_exception(store, place.site.id, "2031-01-02", intervals);
	/* the cap is per site */
	struct site other;
	contract_add_site(store, place.organisation.id, &other);
	assert_store_result(store->ops->site_exception_put(store, other.id, "2031-01-04", "[]", CONTRACT_TIME, cap),
	                    STORE_OK);
	/* a freed place can be taken */
	assert_store_result(store->ops->site_exception_delete(store, place.site.id, "2031-01-01"), STORE_OK);
	assert_store_result(
	    store->ops->site_exception_put(store, place.site.id, "2031-01-04", "[]", CONTRACT_TIME, cap), STORE_OK);
	struct exception_listing listing = {0};
	assert_store_result(store->ops->site_exception_list(store, place.site.id, list_exception, &listing), STORE_OK);
	assert_int_equal(listing.count, cap);
	/* a cap of 0 admits nothing new */
	assert_store_result(store->ops->site_exception_put(store, other.id, "2031-02-01", "[]", CONTRACT_TIME, 0),
	                    STORE_LIMIT);
}

struct contract_tests contract_hours_tests(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_site_hours_put_get_and_replace),
	    cmocka_unit_test(test_site_hours_of_an_unknown_site_is_conflict),
	    cmocka_unit_test(test_site_exception_put_get_replace_delete),
	    cmocka_unit_test(test_site_exception_of_an_unknown_site_is_not_found),
	    cmocka_unit_test(test_site_exception_list_in_date_order),
	    cmocka_unit_test(test_site_exception_cap_refuses_new_dates_only),
	};
	return CONTRACT_TESTS(tests);
}
