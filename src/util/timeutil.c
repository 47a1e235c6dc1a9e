/* Time helpers: clocks and strict RFC 3339 handling in UTC (no locale, no time zone state). */
#include "util/timeutil.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t time_now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

int64_t time_now_millis(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t time_monotonic_nanos(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void time_civil_from_epoch(int64_t epoch_seconds, struct civil_time *out)
{
	/* Howard Hinnant's days-to-civil algorithm on the proleptic Gregorian calendar; no locks
	 * and no time-zone state, unlike gmtime_r. */
	int64_t days = epoch_seconds / 86400, seconds = epoch_seconds % 86400;
	if (seconds < 0) {
		seconds += 86400;
		days--;
	}
	days += 719468;
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	int64_t day_of_era = days - era * 146097;
	int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
	int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
	int64_t month_index = (5 * day_of_year + 2) / 153;
	out->day = (int)(day_of_year - (153 * month_index + 2) / 5 + 1);
	out->month = (int)(month_index < 10 ? month_index + 3 : month_index - 9);
	out->year = (int)(year_of_era + era * 400 + (out->month <= 2));
	out->hour = (int)(seconds / 3600);
	out->minute = (int)(seconds / 60 % 60);
	out->second = (int)(seconds % 60);
}

static void put_digits(char *out, int value, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		out[i] = (char)('0' + value % 10);
		value /= 10;
	}
}

void time_format_rfc3339(int64_t epoch_seconds, char out[RFC3339_BUFFER_SIZE])
{
	struct civil_time t;
	time_civil_from_epoch(epoch_seconds, &t);
	if (t.year < 0 || t.year > 9999) {
		snprintf(out, RFC3339_BUFFER_SIZE, "%04d-%02d-%02dT%02d:%02d:%02dZ", t.year, t.month, t.day, t.hour,
			 t.minute, t.second);
		return;
	}
	put_digits(out, t.year, 4);
	out[4] = '-';
	put_digits(out + 5, t.month, 2);
	out[7] = '-';
	put_digits(out + 8, t.day, 2);
	out[10] = 'T';
	put_digits(out + 11, t.hour, 2);
	out[13] = ':';
	put_digits(out + 14, t.minute, 2);
	out[16] = ':';
	put_digits(out + 17, t.second, 2);
	out[19] = 'Z';
	out[20] = '\0';
}

static bool read_digits(const char **cursor, int count, int *value)
{
	int v = 0;
	for (int i = 0; i < count; i++) {
		if (!isdigit((unsigned char)(*cursor)[i]))
			return false;
		v = v * 10 + ((*cursor)[i] - '0');
	}
	*cursor += count;
	*value = v;
	return true;
}

static bool is_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

static bool parse_date_part(const char **cursor, int *year, int *month, int *day)
{
	if (!read_digits(cursor, 4, year) || **cursor != '-')
		return false;
	(*cursor)++;
	if (!read_digits(cursor, 2, month) || **cursor != '-')
		return false;
	(*cursor)++;
	if (!read_digits(cursor, 2, day))
		return false;
	return *month >= 1 && *month <= 12 && *day >= 1 && *day <= days_in_month(*year, *month);
}

bool time_parse_date(const char *text, int *year, int *month, int *day)
{
	const char *cursor = text;
	return text != NULL && parse_date_part(&cursor, year, month, day) && *cursor == '\0';
}

bool time_parse_rfc3339(const char *text, int64_t *epoch_seconds)
{
	if (text == NULL)
		return false;
	const char *c = text;
	int year, month, day, hour, minute, second;
	if (!parse_date_part(&c, &year, &month, &day))
		return false;
	if (*c != 'T' && *c != 't' && *c != ' ')
		return false;
	c++;
	if (!read_digits(&c, 2, &hour) || *c++ != ':' || !read_digits(&c, 2, &minute) || *c++ != ':' ||
	    !read_digits(&c, 2, &second))
		return false;
	if (hour > 23 || minute > 59 || second > 60)
		return false;
	if (*c == '.') {
		c++;
		if (!isdigit((unsigned char)*c))
			return false;
		while (isdigit((unsigned char)*c))
			c++;
	}
	int offset_seconds = 0;
	if (*c == 'Z' || *c == 'z') {
		c++;
	} else if (*c == '+' || *c == '-') {
		int sign = *c == '-' ? -1 : 1, oh, om;
		c++;
		if (!read_digits(&c, 2, &oh) || *c++ != ':' || !read_digits(&c, 2, &om) || oh > 23 || om > 59)
			return false;
		offset_seconds = sign * (oh * 3600 + om * 60);
	} else {
		return false;
	}
	if (*c != '\0')
		return false;
	struct tm tm = {0};
	tm.tm_year = year - 1900;
	tm.tm_mon = month - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = minute;
	tm.tm_sec = second;
	*epoch_seconds = (int64_t)timegm(&tm) - offset_seconds;
	return true;
}
