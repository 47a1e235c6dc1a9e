/* Video upload metrics over time: the hour bucket a report falls in, and how a window [from, to)
 * is answered — report by report (raw rows, kept 48 hours) where it lies within the last 48 hours,
 * by whole hour buckets before that (docs/API.md "video-upload-metrics"). Pure logic: the caller
 * supplies the clock. */
#ifndef CAMFLEET_DOMAIN_UPLOAD_WINDOW_H
#define CAMFLEET_DOMAIN_UPLOAD_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

#define UPLOAD_HOUR_SECONDS 3600
/* Raw reports are answered from (and kept) this long; older parts of a window use hour buckets. */
#define UPLOAD_RAW_SECONDS (48 * UPLOAD_HOUR_SECONDS)

/* The start of the UTC hour holding the epoch second t (a multiple of 3600, at or before t; negative
 * times round down too). */
int64_t upload_hour_start(int64_t t);

/* How a window is summed: raw reports with time in [raw_from, raw_to), plus hour buckets whose start
 * is in [hours_from, hours_to). An empty half has from == to. */
struct upload_window_plan {
	int64_t raw_from, raw_to;
	int64_t hours_from, hours_to;
};

/* The plan for [from, to) (from <= to) at now. When from is at or after now - UPLOAD_RAW_SECONDS,
 * raw reports alone: [from, to) as given. Otherwise, with split = the first hour boundary after
 * now - UPLOAD_RAW_SECONDS: every hour bucket before split that overlaps [from, to) counts in full,
 * and raw reports count from split to to (when to is after split). */
struct upload_window_plan upload_window_plan(int64_t from, int64_t to, int64_t now);

/* True when the plan reads hour buckets. */
bool upload_window_uses_hours(const struct upload_window_plan *plan);

#endif
