/* Time helpers: clocks and strict RFC 3339 handling in UTC (no locale, no time zone state); the
 * calendar arithmetic is util/civil_date.c's. */
#include "util/timeutil.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/civil_date.h"

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
	int64_t second_of_day;
	int64_t days = civil_day_of_instant(epoch_seconds, &second_of_day);
	civil_date_from_days(days, &out->year, &out->month, &out->day);
	out->hour = (int)(second_of_day / 3600);
	out->minute = (int)(second_of_day / 60 % 60);
	out->second = (int)(second_of_day % 60);
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
	return civil_date_exists(*year, *month, *day);
}

bool time_parse_date(const char *text, int *year, int *month, int *day)
{
	const char *cursor = text;
	return text != NULL && parse_date_part(&cursor, year, month, day) && *cursor == '\0';
}

/* Parses an RFC 3339 timestamp into epoch seconds and the milliseconds of its fraction (digits
 * past the third are dropped). */
static bool parse_rfc3339(const char *text, int64_t *epoch_seconds, int *millis)
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
	int fraction = 0, fraction_digits = 0;
	if (*c == '.') {
		c++;
		if (!isdigit((unsigned char)*c))
			return false;
		for (; isdigit((unsigned char)*c); c++) {
			if (fraction_digits < 3) {
				fraction = fraction * 10 + (*c - '0');
				fraction_digits++;
			}
		}
	}
	for (; fraction_digits < 3; fraction_digits++)
		fraction *= 10;
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
	*epoch_seconds = civil_days_from_date(year, month, day) * CIVIL_SECONDS_IN_DAY + hour * 3600 + minute * 60 +
	                 second - offset_seconds;
	*millis = fraction;
	return true;
}

bool time_parse_rfc3339(const char *text, int64_t *epoch_seconds)
{
	int millis;
	return parse_rfc3339(text, epoch_seconds, &millis);
}

bool time_parse_rfc3339_millis(const char *text, int64_t *epoch_millis)
{
	int64_t seconds;
	int millis;
	if (!parse_rfc3339(text, &seconds, &millis))
		return false;
	*epoch_millis = seconds * 1000 + millis;
	return true;
}

void time_format_rfc3339_millis(int64_t epoch_millis, char out[RFC3339_BUFFER_SIZE])
{
	int64_t millis = epoch_millis % 1000;
	if (millis < 0)
		millis += 1000;
	time_format_rfc3339((epoch_millis - millis) / 1000, out);
	size_t length = strlen(out); /* "...SSZ" */
	if (length >= 1 && length + 4 < RFC3339_BUFFER_SIZE)
		snprintf(out + length - 1, RFC3339_BUFFER_SIZE - (length - 1), ".%03dZ", (int)millis);
}
