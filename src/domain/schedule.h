/* Opening-hours schedules of a site: a weekly schedule (monday … sunday) and the intervals of one
 * date, as minutes of local wall time. Parsing from and building of their JSON, the rules that
 * keep intervals from overlapping, and the years a date may have. Pure: no I/O. */
#ifndef CAMFLEET_DOMAIN_SCHEDULE_H
#define CAMFLEET_DOMAIN_SCHEDULE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define SCHEDULE_MAX_INTERVALS  8    /* intervals opening on one day */
#define SCHEDULE_MINUTES_IN_DAY 1440 /* "24:00", only ever a close */
#define SCHEDULE_DAYS_IN_WEEK   7

/* One interval of local wall time, in minutes after the local midnight of the day it opens on.
 * open_minute is 0..1439, close_minute 1..1440 and never equal to open_minute. close_minute >
 * open_minute closes the same day ("00:00"-"24:00" is all day); close_minute < open_minute runs
 * past midnight and closes the next day at close_minute ("22:00"-"02:00"). */
struct schedule_interval {
	int open_minute;
	int close_minute;
};

/* The intervals opening on one day, in the order given (see schedule_day_sort). count 0 = closed. */
struct day_schedule {
	size_t count;
	struct schedule_interval intervals[SCHEDULE_MAX_INTERVALS];
};

/* days[0] is monday … days[6] is sunday, as civil_weekday (util/civil_date.h) numbers them. */
struct weekly_schedule {
	struct day_schedule days[SCHEDULE_DAYS_IN_WEEK];
};

/* "monday" … "sunday" for 0..6; NULL otherwise. */
const char *schedule_day_name(int weekday);

/* Parses {"weekly": {"monday": [{"open": "08:30", "close": "12:00"}, ...], ...}} into *out (a day
 * left out or [] is closed). Checks the form only (see schedule_validate_weekly for overlaps); on
 * false error holds a message naming the day, the interval index and the rule broken, e.g.
 * `weekly.monday[1].open: '8:30' is not a time 'HH:MM' (...; 00:00 to 23:59)`, or for a key it does
 * not know `unknown field 'weekly.monday[1].opne' — did you mean 'open'? allowed: open, close`. */
bool schedule_parse_weekly(json_t *body, struct weekly_schedule *out, char *error, size_t error_size)
    __attribute__((warn_unused_result));

/* Parses the array of a date exception's {"intervals": [...]} into *out ([] is closed); messages
 * as schedule_parse_weekly's, with "intervals[i]" as the path. Checks the form only. */
bool schedule_parse_intervals(json_t *array, struct day_schedule *out, char *error, size_t error_size)
    __attribute__((warn_unused_result));

/* {"weekly": {"monday": [{"open": "HH:MM", "close": "HH:MM"}, ...], ... "sunday": []}} with all
 * seven days (close 1440 as "24:00"): a new reference the caller releases; NULL without memory. */
json_t *schedule_weekly_json(const struct weekly_schedule *schedule);

/* [{"open": "HH:MM", "close": "HH:MM"}, ...]: a new reference the caller releases; NULL without
 * memory. */
json_t *schedule_day_json(const struct day_schedule *day);

/* True when no two intervals of a day overlap (touching is fine: "12:00" close, "12:00" open) and
 * no day's interval running past midnight overlaps the next day's intervals (sunday's runs into
 * monday). On false error names both intervals, e.g. `weekly.monday[0] (08:00-12:00) overlaps
 * weekly.monday[1] (11:30-13:00)`. */
bool schedule_validate_weekly(const struct weekly_schedule *schedule, char *error, size_t error_size)
    __attribute__((warn_unused_result));

/* Checks the effective schedule of a date (its exception, "intervals") against itself and against
 * those of the date before and after (NULL = closed): as schedule_validate_weekly, for previous_day's
 * tail into day and day's tail into next_day. Overlaps inside the neighbours are not examined. */
bool schedule_validate_sequence(const struct day_schedule *previous_day, const struct day_schedule *day,
                                const struct day_schedule *next_day, char *error, size_t error_size)
    __attribute__((warn_unused_result));

/* Orders a day's intervals by open_minute (a stable insertion sort). */
void schedule_day_sort(struct day_schedule *day);

/* True when year-month-day is a real date of years 1..9999 (weekdays and date arithmetic:
 * util/civil_date.h). */
bool schedule_date_is_valid(int year, int month, int day);

#endif
