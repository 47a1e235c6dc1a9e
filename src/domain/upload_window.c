/* Hour buckets of video upload reports and the plan of a metrics window (see upload_window.h). */
#include "domain/upload_window.h"

int64_t upload_hour_start(int64_t t)
{
	int64_t remainder = t % UPLOAD_HOUR_SECONDS;
	if (remainder < 0)
		remainder += UPLOAD_HOUR_SECONDS; /* C rounds toward zero: floor for times before 1970 */
	return t - remainder;
}

struct upload_window_plan upload_window_plan(int64_t from, int64_t to, int64_t now)
{
	int64_t raw_horizon = now - UPLOAD_RAW_SECONDS;
	if (from >= raw_horizon)
		return (struct upload_window_plan){from, to, 0, 0};
	int64_t split = upload_hour_start(raw_horizon) + UPLOAD_HOUR_SECONDS;
	struct upload_window_plan plan = {split, split, 0, 0};
	if (to > split)
		plan.raw_to = to;
	/* Buckets [h, h + 1 h) with h < split that overlap [from, to): h > from - 1 h and h < to. */
	int64_t hours_to = to < split ? to : split;
	if (from < hours_to) {
		plan.hours_from = upload_hour_start(from);
		plan.hours_to = hours_to;
	}
	return plan;
}

bool upload_window_uses_hours(const struct upload_window_plan *plan)
{
	return plan->hours_from < plan->hours_to;
}
