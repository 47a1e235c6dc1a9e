/* Proleptic Gregorian date arithmetic. Days are counted in 400-year eras of 146,097 days that
 * start on 1 March, so the leap day is the last day of its year and the month lengths from March
 * on repeat a five-month pattern of 153 days (Howard Hinnant, "chrono-Compatible Low-Level Date
 * Algorithms"). 719,468 is the day number of 1970-01-01 counted from 0000-03-01. */
#include "util/civil_date.h"

#include <stddef.h>

#define DAYS_IN_ERA        146097 /* 400 years */
#define YEARS_IN_ERA       400
#define DAYS_TO_UNIX_EPOCH 719468 /* 0000-03-01 to 1970-01-01 */
#define UNIX_EPOCH_WEEKDAY 3      /* 1970-01-01 was a thursday (0 = monday) */
#define DAYS_IN_WEEK       7

bool civil_year_is_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int civil_days_in_month(int year, int month)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (month < 1 || month > 12)
		return 0;
	return month == 2 && civil_year_is_leap(year) ? 29 : days[month - 1];
}

bool civil_date_exists(int year, int month, int day)
{
	return day >= 1 && day <= civil_days_in_month(year, month);
}

/* a / b rounded towards minus infinity (b > 0), without overflow for any a. */
static int64_t floor_divide(int64_t a, int64_t b)
{
	int64_t quotient = a / b;
	return a % b < 0 ? quotient - 1 : quotient;
}

int64_t civil_days_from_date(int year, int month, int day)
{
	int64_t march_year = (int64_t)year - (month <= 2); /* the year starting on the 1 March before */
	int64_t era = floor_divide(march_year, YEARS_IN_ERA);
	int64_t year_of_era = march_year - era * YEARS_IN_ERA;                               /* 0..399 */
	int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1; /* 0..365 */
	int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
	return era * DAYS_IN_ERA + day_of_era - DAYS_TO_UNIX_EPOCH;
}

void civil_date_from_days(int64_t days, int *year, int *month, int *day)
{
	days += DAYS_TO_UNIX_EPOCH;
	int64_t era = floor_divide(days, DAYS_IN_ERA);
	int64_t day_of_era = days - era * DAYS_IN_ERA; /* 0..146096 */
	int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
	int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
	int64_t month_from_march = (5 * day_of_year + 2) / 153; /* 0 = march … 11 = february */
	*day = (int)(day_of_year - (153 * month_from_march + 2) / 5 + 1);
	*month = (int)(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
	*year = (int)(year_of_era + era * YEARS_IN_ERA + (*month <= 2));
}

int civil_weekday(int year, int month, int day)
{
	int64_t weekday = (civil_days_from_date(year, month, day) + UNIX_EPOCH_WEEKDAY) % DAYS_IN_WEEK;
	return (int)(weekday < 0 ? weekday + DAYS_IN_WEEK : weekday);
}

void civil_date_add_days(int year, int month, int day, int64_t days, int *out_year, int *out_month, int *out_day)
{
	civil_date_from_days(civil_days_from_date(year, month, day) + days, out_year, out_month, out_day);
}

int64_t civil_day_of_instant(int64_t epoch_seconds, int64_t *second_of_day)
{
	int64_t remainder = epoch_seconds % CIVIL_SECONDS_IN_DAY;
	if (remainder < 0)
		remainder += CIVIL_SECONDS_IN_DAY;
	if (second_of_day != NULL)
		*second_of_day = remainder;
	return floor_divide(epoch_seconds, CIVIL_SECONDS_IN_DAY);
}
