/* Opening-hours schedules: "HH:MM" intervals parsed from and written to JSON, the no-overlap rules
 * (within a day, and a day's interval running past midnight into the next day's), and the years a
 * schedule's date may have (the calendar itself is util/civil_date.c's). */
#include "domain/schedule.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "domain/field_names.h"
#include "util/civil_date.h"

#define CLOCK_TEXT_LENGTH 5  /* "HH:MM" */
#define CLOCK_TEXT_SIZE   16 /* "HH:MM" and its terminator, with room */
#define PATH_SIZE         48 /* "weekly.wednesday", "the previous day's intervals" */
#define DESCRIPTION_SIZE  96 /* a path, an index and "(HH:MM-HH:MM)" */

static const char *const day_names[SCHEDULE_DAYS_IN_WEEK + 1] = {"monday", "tuesday",  "wednesday", "thursday",
                                                                 "friday", "saturday", "sunday",    NULL};
static const char *const interval_fields[] = {"open", "close", NULL};
static const char *const weekly_body_fields[] = {"weekly", NULL};

/* Writes a message into error (when there is room for one) and returns false, for `return fail(...)`. */
static bool fail(char *error, size_t error_size, const char *format, ...) __attribute__((format(printf, 3, 4)));

static bool fail(char *error, size_t error_size, const char *format, ...)
{
	if (error != NULL && error_size > 0) {
		va_list arguments;
		va_start(arguments, format);
		vsnprintf(error, error_size, format, arguments);
		va_end(arguments);
	}
	return false;
}

/* The unknown-field message (domain/field_names.h) for key under parent into error; false. */
static bool fail_unknown(char *error, size_t error_size, const char *parent, const char *key, const char *const *known)
{
	if (error != NULL)
		field_names_unknown_message(error, error_size, parent, key, known);
	return false;
}

const char *schedule_day_name(int weekday)
{
	return weekday >= 0 && weekday < SCHEDULE_DAYS_IN_WEEK ? day_names[weekday] : NULL;
}

static int day_index(const char *name)
{
	for (int d = 0; d < SCHEDULE_DAYS_IN_WEEK; d++)
		if (strcmp(name, day_names[d]) == 0)
			return d;
	return -1;
}

/* ---- "HH:MM" ---- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Reads exactly "HH:MM" (00:00 to 23:59, and "24:00" when allow_end) into minutes after midnight. */
static bool parse_clock(const char *text, size_t length, bool allow_end, int *minutes)
{
	if (length != CLOCK_TEXT_LENGTH || !is_digit(text[0]) || !is_digit(text[1]) || text[2] != ':' ||
	    !is_digit(text[3]) || !is_digit(text[4]))
		return false;
	int hour = (text[0] - '0') * 10 + (text[1] - '0');
	int minute = (text[3] - '0') * 10 + (text[4] - '0');
	if (minute > 59 || hour > 24 || (hour == 24 && (!allow_end || minute != 0)))
		return false;
	*minutes = hour * 60 + minute;
	return true;
}

/* minutes (0..1440) as "HH:MM"; "24:00" for 1440. */
static void format_clock(int minutes, char out[CLOCK_TEXT_SIZE])
{
	if (minutes < 0 || minutes > SCHEDULE_MINUTES_IN_DAY) {
		snprintf(out, CLOCK_TEXT_SIZE, "??:??");
		return;
	}
	snprintf(out, CLOCK_TEXT_SIZE, "%02d:%02d", minutes / 60, minutes % 60);
}

/* ---- parsing ---- */

static bool parse_clock_member(json_t *interval, const char *name, const char *path, size_t index, bool is_close,
                               int *minutes, char *error, size_t error_size)
{
	json_t *member = json_object_get(interval, name);
	if (member == NULL)
		return fail(error, error_size, "%s[%zu].%s: missing (a time 'HH:MM')", path, index, name);
	if (!json_is_string(member))
		return fail(error, error_size, "%s[%zu].%s: must be a string 'HH:MM'", path, index, name);
	const char *text = json_string_value(member);
	size_t length = json_string_length(member);
	if (parse_clock(text, length, is_close, minutes))
		return true;
	if (!is_close && parse_clock(text, length, true, minutes))
		return fail(error, error_size, "%s[%zu].open: '24:00' may only be a close", path, index);
	return fail(error, error_size,
	            "%s[%zu].%s: '%.24s' is not a time 'HH:MM' (two digits, a colon, two digits; %s)", path, index,
	            name, text, is_close ? "00:00 to 24:00" : "00:00 to 23:59");
}

static bool parse_interval(json_t *value, const char *path, size_t index, struct schedule_interval *out, char *error,
                           size_t error_size)
{
	if (!json_is_object(value))
		return fail(error, error_size, "%s[%zu]: must be an object {\"open\": \"HH:MM\", \"close\": \"HH:MM\"}",
		            path, index);
	const char *key;
	json_t *member;
	json_object_foreach(value, key, member)
	{
		if (strcmp(key, "open") != 0 && strcmp(key, "close") != 0) {
			char parent[FIELD_PATH_SIZE];
			field_path_index(parent, sizeof(parent), path, index);
			return fail_unknown(error, error_size, parent, key, interval_fields);
		}
	}
	if (!parse_clock_member(value, "open", path, index, false, &out->open_minute, error, error_size) ||
	    !parse_clock_member(value, "close", path, index, true, &out->close_minute, error, error_size))
		return false;
	if (out->open_minute == out->close_minute) {
		char clock[CLOCK_TEXT_SIZE];
		format_clock(out->open_minute, clock);
		return fail(error, error_size,
		            "%s[%zu]: open and close are both '%s'; an interval must not be empty "
		            "('00:00'-'24:00' is all day)",
		            path, index, clock);
	}
	if (out->close_minute == 0)
		out->close_minute = SCHEDULE_MINUTES_IN_DAY; /* a close at "00:00" is the next midnight: "24:00" */
	return true;
}

static bool parse_day(json_t *array, const char *path, struct day_schedule *out, char *error, size_t error_size)
{
	if (!json_is_array(array))
		return fail(error, error_size,
		            "%s: must be an array of intervals {\"open\": \"HH:MM\", \"close\": \"HH:MM\"}", path);
	size_t count = json_array_size(array);
	if (count > SCHEDULE_MAX_INTERVALS)
		return fail(error, error_size, "%s: %zu intervals; at most %d a day", path, count,
		            SCHEDULE_MAX_INTERVALS);
	struct day_schedule parsed = {.count = count};
	for (size_t i = 0; i < count; i++)
		if (!parse_interval(json_array_get(array, i), path, i, &parsed.intervals[i], error, error_size))
			return false;
	*out = parsed;
	return true;
}

static bool parse_days(json_t *weekly, struct weekly_schedule *out, char *error, size_t error_size)
{
	struct weekly_schedule parsed;
	memset(&parsed, 0, sizeof(parsed));
	const char *key;
	json_t *value;
	json_object_foreach(weekly, key, value)
	{
		int d = day_index(key);
		if (d < 0) {
			return fail_unknown(error, error_size, "weekly", key, day_names);
		}
		char path[PATH_SIZE];
		snprintf(path, sizeof(path), "weekly.%s", day_names[d]);
		if (!parse_day(value, path, &parsed.days[d], error, error_size))
			return false;
	}
	*out = parsed;
	return true;
}

bool schedule_parse_weekly(json_t *body, struct weekly_schedule *out, char *error, size_t error_size)
{
	if (!json_is_object(body))
		return fail(error, error_size, "body: must be an object {\"weekly\": {\"monday\": [...], ...}}");
	const char *key;
	json_t *value;
	json_object_foreach(body, key, value)
	{
		if (strcmp(key, "weekly") != 0) {
			return fail_unknown(error, error_size, "", key, weekly_body_fields);
		}
	}
	json_t *weekly = json_object_get(body, "weekly");
	if (weekly == NULL)
		return fail(error, error_size, "weekly: missing (an object of days 'monday' to 'sunday')");
	if (!json_is_object(weekly))
		return fail(error, error_size, "weekly: must be an object of days 'monday' to 'sunday'");
	return parse_days(weekly, out, error, error_size);
}

bool schedule_parse_intervals(json_t *array, struct day_schedule *out, char *error, size_t error_size)
{
	return parse_day(array, "intervals", out, error, error_size);
}

/* ---- JSON out ---- */

static json_t *interval_json(const struct schedule_interval *interval)
{
	char open[CLOCK_TEXT_SIZE], close[CLOCK_TEXT_SIZE];
	format_clock(interval->open_minute, open);
	format_clock(interval->close_minute, close);
	return json_pack("{s:s, s:s}", "open", open, "close", close);
}

json_t *schedule_day_json(const struct day_schedule *day)
{
	json_t *array = json_array();
	if (array == NULL)
		return NULL;
	for (size_t i = 0; i < day->count && i < SCHEDULE_MAX_INTERVALS; i++) {
		if (json_array_append_new(array, interval_json(&day->intervals[i])) != 0) {
			json_decref(array);
			return NULL;
		}
	}
	return array;
}

json_t *schedule_weekly_json(const struct weekly_schedule *schedule)
{
	json_t *days = json_object();
	if (days == NULL)
		return NULL;
	for (int d = 0; d < SCHEDULE_DAYS_IN_WEEK; d++) {
		if (json_object_set_new(days, day_names[d], schedule_day_json(&schedule->days[d])) != 0) {
			json_decref(days);
			return NULL;
		}
	}
	json_t *body = json_object();
	if (body == NULL || json_object_set_new(body, "weekly", days) != 0) {
		json_decref(body);
		return NULL;
	}
	return body;
}

/* ---- validation ---- */

static bool runs_past_midnight(const struct schedule_interval *interval)
{
	return interval->close_minute <= interval->open_minute;
}

/* The close in minutes after the midnight the interval opens on (past 1440 when it runs past midnight). */
static int interval_end(const struct schedule_interval *interval)
{
	return interval->close_minute + (runs_past_midnight(interval) ? SCHEDULE_MINUTES_IN_DAY : 0);
}

/* "weekly.monday[1] (11:30-13:00)" */
static void describe(const char *path, size_t index, const struct schedule_interval *interval,
                     char out[DESCRIPTION_SIZE])
{
	char open[CLOCK_TEXT_SIZE], close[CLOCK_TEXT_SIZE];
	format_clock(interval->open_minute, open);
	format_clock(interval->close_minute, close);
	snprintf(out, DESCRIPTION_SIZE, "%s[%zu] (%s-%s)", path, index, open, close);
}

/* The shape parsing guarantees, for schedules that come from elsewhere (a store). */
static bool check_form(const struct day_schedule *day, const char *path, char *error, size_t error_size)
{
	if (day->count > SCHEDULE_MAX_INTERVALS)
		return fail(error, error_size, "%s: %zu intervals; at most %d a day", path, day->count,
		            SCHEDULE_MAX_INTERVALS);
	for (size_t i = 0; i < day->count; i++) {
		const struct schedule_interval *interval = &day->intervals[i];
		if (interval->open_minute < 0 || interval->open_minute >= SCHEDULE_MINUTES_IN_DAY ||
		    interval->close_minute < 1 || interval->close_minute > SCHEDULE_MINUTES_IN_DAY ||
		    interval->open_minute == interval->close_minute)
			return fail(error, error_size, "%s[%zu]: not an interval (open %d, close %d minutes)", path, i,
			            interval->open_minute, interval->close_minute);
	}
	return true;
}

static bool check_overlaps(const struct day_schedule *day, const char *path, char *error, size_t error_size)
{
	for (size_t i = 0; i < day->count; i++) {
		const struct schedule_interval *a = &day->intervals[i];
		for (size_t j = i + 1; j < day->count; j++) {
			const struct schedule_interval *b = &day->intervals[j];
			if (a->open_minute >= interval_end(b) || b->open_minute >= interval_end(a))
				continue;
			char first[DESCRIPTION_SIZE], second[DESCRIPTION_SIZE];
			describe(path, i, a, first);
			describe(path, j, b, second);
			return fail(error, error_size, "%s overlaps %s", first, second);
		}
	}
	return true;
}

/* The part of day's interval that runs past midnight must end before next's intervals open. */
static bool check_tail(const struct day_schedule *day, const char *path, const struct day_schedule *next,
                       const char *next_path, char *error, size_t error_size)
{
	for (size_t i = 0; i < day->count; i++) {
		const struct schedule_interval *tail = &day->intervals[i];
		if (!runs_past_midnight(tail))
			continue;
		for (size_t j = 0; j < next->count; j++) {
			if (next->intervals[j].open_minute >= tail->close_minute)
				continue;
			char first[DESCRIPTION_SIZE], second[DESCRIPTION_SIZE];
			describe(path, i, tail, first);
			describe(next_path, j, &next->intervals[j], second);
			return fail(error, error_size, "%s runs past midnight into %s", first, second);
		}
	}
	return true;
}

bool schedule_validate_weekly(const struct weekly_schedule *schedule, char *error, size_t error_size)
{
	char paths[SCHEDULE_DAYS_IN_WEEK][PATH_SIZE];
	for (int d = 0; d < SCHEDULE_DAYS_IN_WEEK; d++) {
		snprintf(paths[d], PATH_SIZE, "weekly.%s", day_names[d]);
		if (!check_form(&schedule->days[d], paths[d], error, error_size) ||
		    !check_overlaps(&schedule->days[d], paths[d], error, error_size))
			return false;
	}
	for (int d = 0; d < SCHEDULE_DAYS_IN_WEEK; d++) {
		int next = (d + 1) % SCHEDULE_DAYS_IN_WEEK;
		if (!check_tail(&schedule->days[d], paths[d], &schedule->days[next], paths[next], error, error_size))
			return false;
	}
	return true;
}

bool schedule_validate_sequence(const struct day_schedule *previous_day, const struct day_schedule *day,
                                const struct day_schedule *next_day, char *error, size_t error_size)
{
	static const char previous_path[] = "the previous day's intervals";
	static const char day_path[] = "intervals";
	static const char next_path[] = "the next day's intervals";
	if (!check_form(day, day_path, error, error_size) || !check_overlaps(day, day_path, error, error_size))
		return false;
	if (previous_day != NULL && (!check_form(previous_day, previous_path, error, error_size) ||
	                             !check_tail(previous_day, previous_path, day, day_path, error, error_size)))
		return false;
	if (next_day != NULL && (!check_form(next_day, next_path, error, error_size) ||
	                         !check_tail(day, day_path, next_day, next_path, error, error_size)))
		return false;
	return true;
}

void schedule_day_sort(struct day_schedule *day)
{
	for (size_t i = 1; i < day->count && i < SCHEDULE_MAX_INTERVALS; i++) {
		struct schedule_interval moving = day->intervals[i];
		size_t j = i;
		for (; j > 0 && day->intervals[j - 1].open_minute > moving.open_minute; j--)
			day->intervals[j] = day->intervals[j - 1];
		day->intervals[j] = moving;
	}
}

/* ---- dates ---- */

bool schedule_date_is_valid(int year, int month, int day)
{
	return year >= 1 && year <= 9999 && civil_date_exists(year, month, day);
}
