/* Opening hours of one local date as the API shows them: domain/opening_hours_compute.c decides
 * the instants (time zones, overnight intervals, daylight-saving gaps); this file only formats
 * them as RFC 3339 UTC strings. */
#include "domain/opening_hours.h"

#include "domain/opening_hours_compute.h"
#include "util/timeutil.h"

static json_t *instants_json(const int64_t *instants, size_t count)
{
	json_t *array = json_array();
	for (size_t i = 0; array != NULL && i < count; i++) {
		char text[RFC3339_BUFFER_SIZE];
		time_format_rfc3339(instants[i], text);
		if (json_array_append_new(array, json_string(text)) != 0) {
			json_decref(array);
			array = NULL;
		}
	}
	return array;
}

json_t *opening_hours_instants(local_time_offset_fn *offset_at, const struct day_schedule *day_of_date, int year,
                               int month, int day, int *error)
{
	int64_t instants[OPENING_HOURS_MAX_INSTANTS];
	int count =
	    opening_hours_for_date(offset_at, day_of_date, year, month, day, instants, OPENING_HOURS_MAX_INSTANTS);
	*error = count < 0 ? count : 0;
	return count < 0 ? NULL : instants_json(instants, (size_t)count);
}
