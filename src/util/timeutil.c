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

void time_format_rfc3339(int64_t epoch_seconds, char out[RFC3339_BUFFER_SIZE])
{
	time_t t = (time_t)epoch_seconds;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, RFC3339_BUFFER_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm);
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
