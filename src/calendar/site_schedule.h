/* A site's opening hours as the domain sees them (domain/schedule.h), read from the store: the
 * weekly schedule, the exception of a date, and the schedule in force on a date (its exception
 * when there is one, else its weekday). Used by the site and camera endpoints and by the
 * health-alert evaluator (calendar/site_opening.h). */
#ifndef CAMFLEET_CALENDAR_SITE_SCHEDULE_H
#define CAMFLEET_CALENDAR_SITE_SCHEDULE_H

#include <stdbool.h>

#include "domain/schedule.h"
#include "store/store.h"

/* A local date with its "YYYY-MM-DD" text. */
struct schedule_date {
	int year, month, day;
	char text[16]; /* "YYYY-MM-DD" */
};

/* Fills date from its parts (a valid date). */
void schedule_date_set(struct schedule_date *date, int year, int month, int day);
/* The date days away from date. */
struct schedule_date schedule_date_offset(const struct schedule_date *date, int days);

/* The site's weekly schedule; all days closed when none was set. */
enum store_result site_schedule_weekly(struct store *store, const char *site_id, struct weekly_schedule *out)
    __attribute__((warn_unused_result));
/* The site's exception on date into out; *found false (and out closed) when there is none. */
enum store_result site_schedule_exception(struct store *store, const char *site_id, const struct schedule_date *date,
                                          struct day_schedule *out, bool *found) __attribute__((warn_unused_result));
/* The intervals in force on date: its exception if any, else weekly's day of that weekday. */
enum store_result site_schedule_day(struct store *store, const char *site_id, const struct weekly_schedule *weekly,
                                    const struct schedule_date *date, struct day_schedule *out)
    __attribute__((warn_unused_result));

#endif
