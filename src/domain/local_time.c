/* Wall time → UTC over a zone's offset function (domain/local_time.h). No tz rules live here and
 * nothing is read: the only question asked of the zone is "what is the UTC offset at instant t?".
 *
 * The conversion of a wall time W (w = W read as if it were UTC, in epoch seconds), with
 * offset(t) the zone's answer:
 * - candidate offsets: offset at w - 2 d, w - 1 d, w, w + 1 d, w + 2 d, and offset(w - o) for
 *   each of those o (so an offset in force for less than a day near W is not missed);
 * - o is valid when offset(w - o) == o, i.e. the instant w - o shows W; the answer is the
 *   smallest valid w - o (in a fall-back overlap: the first occurrence);
 * - none valid: W is in a spring-forward gap from offset b (before) to a (after), b < a, which is
 *   seen as offset(w - a) == b and offset(w - b) == a; the answer is w - b, the instant that shows
 *   W + (a - b): W moved forward by the gap's length. */
#include "domain/local_time.h"

#include <stddef.h>

#include "util/civil_date.h"

#define MINUTES_IN_DAY 1440
#define OFFSET_SAMPLES 5                    /* w - 2 d … w + 2 d */
#define CANDIDATES_MAX (2 * OFFSET_SAMPLES) /* the samples and offset(w - sample) */

/* The dates this module converts: years 1..9999. */
static bool date_is_valid(int year, int month, int day)
{
	return year >= 1 && year <= 9999 && civil_date_exists(year, month, day);
}

/* The wall time read as if it were UTC: the w of the rules above. */
static int64_t wall_as_utc(int year, int month, int day, int minute_of_day)
{
	return civil_days_from_date(year, month, day) * CIVIL_SECONDS_IN_DAY + (int64_t)minute_of_day * 60;
}

/* The local date at instant t, shown with offset (seconds east of UTC). */
static void date_shown(int64_t t, long offset, int *year, int *month, int *day)
{
	civil_date_from_days(civil_day_of_instant(t + offset, NULL), year, month, day);
}

/* ---- the conversion ---- */

/* Adds offset to candidates (room for CANDIDATES_MAX) unless it is there. At most OFFSET_SAMPLES
 * samples and one shown offset per sample are ever added, so the bound holds; it is still checked
 * before the write. */
static void add_candidate(long *candidates, size_t *count, long offset)
{
	for (size_t i = 0; i < *count; i++)
		if (candidates[i] == offset)
			return;
	if (*count >= CANDIDATES_MAX)
		return;
	candidates[(*count)++] = offset;
}

/* Fills *instant with the answer for w; *gap_before and *gap_after with the offsets around the gap
 * when w is in one (*in_gap), for date_exists. */
static enum local_time_result convert(local_time_offset_fn *offset_at, int64_t w, int64_t *instant, bool *in_gap,
                                      long *gap_before, long *gap_after)
{
	long candidates[CANDIDATES_MAX];
	size_t count = 0;
	for (int k = -2; k <= 2; k++) {
		long offset;
		if (!offset_at(w + (int64_t)k * CIVIL_SECONDS_IN_DAY, &offset))
			return LOCAL_TIME_ZONE_DATA_ERROR;
		add_candidate(candidates, &count, offset);
	}
	long shown[CANDIDATES_MAX]; /* shown[i] = offset(w - candidates[i]) */
	for (size_t i = 0; i < count; i++) {
		if (!offset_at(w - candidates[i], &shown[i]))
			return LOCAL_TIME_ZONE_DATA_ERROR;
	}
	size_t sampled = count;
	for (size_t i = 0; i < sampled; i++)
		add_candidate(candidates, &count, shown[i]);
	for (size_t i = sampled; i < count; i++) {
		if (!offset_at(w - candidates[i], &shown[i]))
			return LOCAL_TIME_ZONE_DATA_ERROR;
	}

	bool found = false;
	for (size_t i = 0; i < count; i++) {
		if (shown[i] == candidates[i] && (!found || w - candidates[i] < *instant)) {
			*instant = w - candidates[i];
			found = true;
		}
	}
	*in_gap = !found;
	if (found)
		return LOCAL_TIME_OK;
	/* A gap from b to a: offset(w - a) == b and offset(w - b) == a, with b < a. */
	for (size_t i = 0; i < count; i++) {
		long after = candidates[i];
		long before = shown[i];
		if (before >= after)
			continue;
		for (size_t j = 0; j < count; j++) {
			if (candidates[j] == before && shown[j] == after) {
				*instant = w - before;
				*gap_before = before;
				*gap_after = after;
				return LOCAL_TIME_OK;
			}
		}
	}
	return LOCAL_TIME_ZONE_DATA_ERROR; /* more than one change within the day: not seen in tzdata */
}

enum local_time_result local_time_to_utc(local_time_offset_fn *offset_at, int year, int month, int day,
                                         int minute_of_day, int64_t *epoch_seconds)
{
	if (offset_at == NULL || epoch_seconds == NULL || !date_is_valid(year, month, day) || minute_of_day < 0 ||
	    minute_of_day > MINUTES_IN_DAY)
		return LOCAL_TIME_INVALID_ARGUMENT;
	bool in_gap;
	long before, after;
	return convert(offset_at, wall_as_utc(year, month, day, minute_of_day), epoch_seconds, &in_gap, &before,
	               &after);
}

/* The date exists unless its midnight is in a gap that ends after the date: the first instant at
 * or after the midnight is then the gap's end, the first t in (w - after, w - before] with
 * offset(t) == after, found by bisection; the date exists when that instant's local date is it. */
enum local_time_result local_time_date_exists(local_time_offset_fn *offset_at, int year, int month, int day,
                                              bool *exists)
{
	if (offset_at == NULL || exists == NULL || !date_is_valid(year, month, day))
		return LOCAL_TIME_INVALID_ARGUMENT;
	int64_t w = wall_as_utc(year, month, day, 0);
	int64_t instant;
	bool in_gap = false;
	long before = 0, after = 0;
	enum local_time_result result = convert(offset_at, w, &instant, &in_gap, &before, &after);
	if (result != LOCAL_TIME_OK)
		return result;
	if (!in_gap) {
		*exists = true; /* the midnight itself is shown */
		return LOCAL_TIME_OK;
	}
	int64_t low = w - after;   /* offset(low) == before */
	int64_t high = w - before; /* offset(high) == after */
	while (high - low > 1) {
		int64_t middle = low + (high - low) / 2;
		long offset;
		if (!offset_at(middle, &offset))
			return LOCAL_TIME_ZONE_DATA_ERROR;
		if (offset == after)
			high = middle;
		else
			low = middle;
	}
	int local_year, local_month, local_day;
	date_shown(high, after, &local_year, &local_month, &local_day);
	*exists = local_year == year && local_month == month && local_day == day;
	return LOCAL_TIME_OK;
}

enum local_time_result local_time_date_at(local_time_offset_fn *offset_at, int64_t instant, int *year, int *month,
                                          int *day)
{
	long offset;
	if (offset_at == NULL || year == NULL || month == NULL || day == NULL)
		return LOCAL_TIME_INVALID_ARGUMENT;
	if (!offset_at(instant, &offset) || offset <= -CIVIL_SECONDS_IN_DAY || offset >= CIVIL_SECONDS_IN_DAY ||
	    (instant > 0 && instant > INT64_MAX - CIVIL_SECONDS_IN_DAY) ||
	    (instant < 0 && instant < INT64_MIN + CIVIL_SECONDS_IN_DAY))
		return LOCAL_TIME_ZONE_DATA_ERROR;
	date_shown(instant, offset, year, month, day);
	return LOCAL_TIME_OK;
}
