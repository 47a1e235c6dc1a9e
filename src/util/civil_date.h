/* Dates of the proleptic Gregorian calendar as plain integer arithmetic (after Howard Hinnant's
 * civil-date algorithms): leap years, month lengths, days since 1970-01-01 and back, weekdays.
 * No locale, no time zone, no locks; every year an int holds, negative ones included (year 0 is
 * 1 BC). The one place camfleet counts days: util/timeutil.c, domain/schedule.c and
 * domain/local_time.c all use it. */
#ifndef CAMFLEET_UTIL_CIVIL_DATE_H
#define CAMFLEET_UTIL_CIVIL_DATE_H

#include <stdbool.h>
#include <stdint.h>

#define CIVIL_SECONDS_IN_DAY 86400

/* True when year has a 29 February: divisible by 4, and by 400 when it is a century. */
bool civil_year_is_leap(int year);

/* The days in month (1..12) of year: 28 to 31; 0 for a month out of range. */
int civil_days_in_month(int year, int month);

/* True when month is 1..12 and day is 1..civil_days_in_month(year, month). Any year. */
bool civil_date_exists(int year, int month, int day);

/* Days from 1970-01-01 to year-month-day (negative before it), for an existing date. */
int64_t civil_days_from_date(int year, int month, int day);

/* The date days after 1970-01-01 (before it when negative), into the out parameters. */
void civil_date_from_days(int64_t days, int *year, int *month, int *day);

/* The day of the week of an existing date: 0 = monday … 6 = sunday. */
int civil_weekday(int year, int month, int day);

/* The date days after year-month-day (before it when negative), into the out parameters. */
void civil_date_add_days(int year, int month, int day, int64_t days, int *out_year, int *out_month, int *out_day);

/* The day (days since 1970-01-01) of the instant epoch_seconds, and the seconds since that
 * day's midnight (0..86399) into *second_of_day when it is not NULL; rounds towards the past. */
int64_t civil_day_of_instant(int64_t epoch_seconds, int64_t *second_of_day);

#endif
