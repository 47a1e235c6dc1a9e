/* The opening and closing instants of one local date at a site: the date's intervals (from its
 * weekly day or its exception) turned into UTC by the site's time zone, correct across daylight-
 * saving changes. Pure: the zone comes in as its offset function (domain/local_time.h). */
#ifndef CAMFLEET_DOMAIN_OPENING_HOURS_COMPUTE_H
#define CAMFLEET_DOMAIN_OPENING_HOURS_COMPUTE_H

#include <stddef.h>
#include <stdint.h>

#include "domain/local_time.h"
#include "domain/schedule.h"

/* Room for the instants of any day: an open and a close per interval. */
#define OPENING_HOURS_MAX_INSTANTS (2 * SCHEDULE_MAX_INTERVALS)

/* Negative results of opening_hours_for_date (the first two are local_time's). */
enum opening_hours_error {
	OPENING_HOURS_ERROR_INVALID_ARGUMENT = LOCAL_TIME_INVALID_ARGUMENT, /* bad date or interval */
	OPENING_HOURS_ERROR_ZONE_DATA = LOCAL_TIME_ZONE_DATA_ERROR,
	OPENING_HOURS_ERROR_NO_ROOM = -5, /* max is smaller than the answer */
};

/* Writes the UTC instants (epoch seconds) [open1, close1, open2, close2, ...] of the intervals
 * that open on the local date year-month-day in the zone offset_at, and returns how many (even, up to max), or
 * a negative enum opening_hours_error. Rules:
 * - each end is converted by local_time's rules: a wall time in a spring-forward gap is moved
 *   forward by the gap's length, an ambiguous one takes its first occurrence;
 * - an interval running past midnight (close_minute <= open_minute) closes on the next local
 *   date at close_minute, and close_minute 1440 is the next date's 00:00; the next date's answer
 *   does not repeat that tail;
 * - when the gap rule puts a close before its open (open inside a gap, close just after it, e.g.
 *   London 2025-03-30 01:50-02:10), the close is set to the open: an empty interval;
 * - pairs are sorted by open; two that overlap after conversion (possible only around a gap) are
 *   merged into one, so the instants never decrease and pairs never overlap (touching pairs stay);
 * - a local date that does not exist in the zone (Pacific/Apia skipped 2011-12-30: 2011-12-29
 *   24:00 was followed by 2011-12-31 00:00) has no intervals: the answer is empty, since every
 *   wall time of it would be moved into 2011-12-31 and repeat that date's answer.
 * The day's intervals are not checked for overlaps (see schedule_validate_sequence). */
int opening_hours_for_date(local_time_offset_fn *offset_at, const struct day_schedule *day_of_date, int year, int month,
                           int day, int64_t *instants, size_t max) __attribute__((warn_unused_result));

#endif
