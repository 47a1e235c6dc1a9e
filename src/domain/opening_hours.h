/* Opening hours of a site for one local date: the intervals that open on that date (from its
 * weekly day or its exception, domain/schedule.h) as RFC 3339 UTC instants, open and close
 * pairs. Pure: the site's time-zone rules come in as a conversion function of the caller. */
#ifndef CAMFLEET_DOMAIN_OPENING_HOURS_H
#define CAMFLEET_DOMAIN_OPENING_HOURS_H

#include <jansson.h>
#include <stdint.h>

#include "domain/schedule.h"

/* Epoch seconds of the local wall-clock time minute (0..1439) after midnight of year-month-day
 * at the site. */
typedef int64_t (*opening_local_time_fn)(void *context, int year, int month, int day, int minute);

/* The instants (open, close, open, close, ...) of the intervals of day, which open on the local
 * date year-month-day_of_month; an interval running past midnight closes on the next date. A new
 * JSON array of strings the caller releases; [] for a closed day (local_time may then be NULL).
 * NULL when memory is exhausted or the day has intervals but no local_time was given. */
json_t *opening_hours_instants(const struct day_schedule *day, int year, int month, int day_of_month,
                               opening_local_time_fn local_time, void *context);

#endif
