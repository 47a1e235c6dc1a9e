/* One local date's intervals → sorted, non-overlapping UTC open/close pairs. The conversion of
 * each wall time is local_time's; this file adds the date rules: which date a close falls on,
 * gap-inverted intervals, merging, and dates the zone skipped. */
#include "domain/opening_hours_compute.h"

#include <stdbool.h>

#include "util/civil_date.h"

struct instant_pair {
	int64_t open;
	int64_t close;
};

static bool interval_is_valid(const struct schedule_interval *interval)
{
	return interval->open_minute >= 0 && interval->open_minute < SCHEDULE_MINUTES_IN_DAY &&
	       interval->close_minute >= 1 && interval->close_minute <= SCHEDULE_MINUTES_IN_DAY &&
	       interval->open_minute != interval->close_minute;
}

static bool day_is_valid(const struct day_schedule *day)
{
	if (day->count > SCHEDULE_MAX_INTERVALS)
		return false;
	for (size_t i = 0; i < day->count; i++)
		if (!interval_is_valid(&day->intervals[i]))
			return false;
	return true;
}

/* Converts one interval opening on date (its close on next when it runs past midnight). */
static enum local_time_result convert_interval(local_time_offset_fn *offset_at,
                                               const struct schedule_interval *interval, const int date[3],
                                               const int next[3], struct instant_pair *out)
{
	const int *close_date = interval->close_minute <= interval->open_minute ? next : date;
	enum local_time_result result =
	    local_time_to_utc(offset_at, date[0], date[1], date[2], interval->open_minute, &out->open);
	if (result == LOCAL_TIME_OK)
		result = local_time_to_utc(offset_at, close_date[0], close_date[1], close_date[2],
		                           interval->close_minute, &out->close);
	if (result == LOCAL_TIME_OK && out->close < out->open)
		out->close = out->open; /* open moved forward by a gap past the close: never open */
	return result;
}

static void sort_pairs(struct instant_pair *pairs, size_t count)
{
	for (size_t i = 1; i < count; i++) {
		struct instant_pair moving = pairs[i];
		size_t j = i;
		for (; j > 0 && (pairs[j - 1].open > moving.open ||
		                 (pairs[j - 1].open == moving.open && pairs[j - 1].close > moving.close));
		     j--)
			pairs[j] = pairs[j - 1];
		pairs[j] = moving;
	}
}

/* Merges sorted pairs that overlap (not those that merely touch); returns the new count. */
static size_t merge_pairs(struct instant_pair *pairs, size_t count)
{
	size_t merged = 0;
	for (size_t i = 0; i < count; i++) {
		if (merged > 0 && pairs[i].open < pairs[merged - 1].close) {
			if (pairs[i].close > pairs[merged - 1].close)
				pairs[merged - 1].close = pairs[i].close;
			continue;
		}
		pairs[merged++] = pairs[i];
	}
	return merged;
}

/* Fills pairs with the day's converted intervals; *count 0 for a date the zone skipped. */
static enum local_time_result convert_day(local_time_offset_fn *offset_at, const struct day_schedule *day,
                                          const int date[3], struct instant_pair *pairs, size_t *count)
{
	*count = 0;
	bool exists = false;
	enum local_time_result result = local_time_date_exists(offset_at, date[0], date[1], date[2], &exists);
	if (result != LOCAL_TIME_OK || !exists)
		return result;
	int next[3];
	civil_date_add_days(date[0], date[1], date[2], 1, &next[0], &next[1], &next[2]);
	for (size_t i = 0; i < day->count; i++) {
		result = convert_interval(offset_at, &day->intervals[i], date, next, &pairs[i]);
		if (result != LOCAL_TIME_OK)
			return result;
	}
	*count = day->count;
	return LOCAL_TIME_OK;
}

int opening_hours_for_date(local_time_offset_fn *offset_at, const struct day_schedule *day_of_date, int year, int month,
                           int day, int64_t *instants, size_t max)
{
	if (offset_at == NULL || day_of_date == NULL || instants == NULL || !day_is_valid(day_of_date) ||
	    !schedule_date_is_valid(year, month, day))
		return OPENING_HOURS_ERROR_INVALID_ARGUMENT;
	const int date[3] = {year, month, day};
	struct instant_pair pairs[SCHEDULE_MAX_INTERVALS];
	size_t count = 0;
	enum local_time_result result = convert_day(offset_at, day_of_date, date, pairs, &count);
	if (result != LOCAL_TIME_OK)
		return (int)result;
	sort_pairs(pairs, count);
	count = merge_pairs(pairs, count);
	if (2 * count > max)
		return OPENING_HOURS_ERROR_NO_ROOM;
	for (size_t i = 0; i < count; i++) {
		instants[2 * i] = pairs[i].open;
		instants[2 * i + 1] = pairs[i].close;
	}
	return (int)(2 * count);
}
