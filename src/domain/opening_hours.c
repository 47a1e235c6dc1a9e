/* Opening hours of one local date as UTC instants (PRODUCT.md "Interfaces fixed by the seed"):
 * each interval that opens on the date gives its open instant and its close instant, the close
 * falling on the next date for "24:00" and for intervals that run past midnight. */
#include "domain/opening_hours.h"

#include "util/timeutil.h"

struct local_date {
	int year, month, day;
};

static int append_instant(json_t *array, int64_t epoch_seconds)
{
	char text[RFC3339_BUFFER_SIZE];
	time_format_rfc3339(epoch_seconds, text);
	return json_array_append_new(array, json_string(text));
}

/* The close of interval, which opened on date: the date and minute of local time it falls on. */
static void close_point(const struct schedule_interval *interval, struct local_date date, struct local_date *out,
                        int *minute)
{
	bool next_date =
	    interval->close_minute <= interval->open_minute || interval->close_minute >= SCHEDULE_MINUTES_IN_DAY;
	*out = date;
	*minute = interval->close_minute % SCHEDULE_MINUTES_IN_DAY;
	if (next_date)
		schedule_date_add_days(date.year, date.month, date.day, 1, &out->year, &out->month, &out->day);
}

static int append_interval(json_t *instants, const struct schedule_interval *interval, struct local_date date,
                           opening_local_time_fn local_time, void *context)
{
	struct local_date close_date;
	int close_minute;
	close_point(interval, date, &close_date, &close_minute);
	int64_t open_at = local_time(context, date.year, date.month, date.day, interval->open_minute);
	int64_t close_at = local_time(context, close_date.year, close_date.month, close_date.day, close_minute);
	if (append_instant(instants, open_at) != 0)
		return -1;
	return append_instant(instants, close_at);
}

json_t *opening_hours_instants(const struct day_schedule *day, int year, int month, int day_of_month,
                               opening_local_time_fn local_time, void *context)
{
	if (day->count > 0 && local_time == NULL)
		return NULL;
	json_t *instants = json_array();
	if (instants == NULL)
		return NULL;
	struct local_date date = {year, month, day_of_month};
	for (size_t i = 0; i < day->count; i++) {
		if (append_interval(instants, &day->intervals[i], date, local_time, context) != 0) {
			json_decref(instants);
			return NULL;
		}
	}
	return instants;
}
