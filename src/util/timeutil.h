/* Wall-clock and monotonic time, and RFC 3339 UTC formatting and parsing. */
#ifndef CAMFLEET_UTIL_TIMEUTIL_H
#define CAMFLEET_UTIL_TIMEUTIL_H

#include <stdbool.h>
#include <stdint.h>

#define RFC3339_BUFFER_SIZE 32

/* Seconds since the Unix epoch (wall clock). */
int64_t time_now_seconds(void);
/* Milliseconds since the Unix epoch (wall clock). */
int64_t time_now_millis(void);
/* Monotonic nanoseconds, for measuring durations. */
uint64_t time_monotonic_nanos(void);
/* A UTC calendar time broken into fields. */
struct civil_time {
	int year, month, day, hour, minute, second;
};

/* Breaks epoch seconds into UTC calendar fields (pure arithmetic: no locks, unlike gmtime_r). */
void time_civil_from_epoch(int64_t epoch_seconds, struct civil_time *out);
/* Formats epoch seconds as "YYYY-MM-DDTHH:MM:SSZ" into out (32 bytes). */
void time_format_rfc3339(int64_t epoch_seconds, char out[RFC3339_BUFFER_SIZE]);
/* Formats epoch milliseconds as "YYYY-MM-DDTHH:MM:SS.mmmZ" into out (32 bytes). */
void time_format_rfc3339_millis(int64_t epoch_millis, char out[RFC3339_BUFFER_SIZE]);
/* Parses an RFC 3339 timestamp ("2019-08-24T14:15:22Z", fractional seconds and numeric
 * offsets accepted) into epoch seconds; false when text is not such a timestamp. */
bool time_parse_rfc3339(const char *text, int64_t *epoch_seconds);
/* The same into epoch milliseconds, keeping the fraction's first three digits. */
bool time_parse_rfc3339_millis(const char *text, int64_t *epoch_millis);
/* Parses a calendar date "YYYY-MM-DD" (a real date); false otherwise. */
bool time_parse_date(const char *text, int *year, int *month, int *day);

#endif
