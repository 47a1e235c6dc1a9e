/* Glue for src/api/opening_hours.c: the weekly schedule and exception bodies and the {date} path
 * parameter. The handlers parse with domain/schedule.h after api_parse_body_or_reply; these functions
 * make the same calls in the same order, then check that the canonical form the server would
 * store parses again to the same schedule. */
#include "api/opening_hours.c"

#include "../support/fuzz_request.h"
#include "glue.h"

/* The stored text of a parsed day parses again, to the same text. */
static void check_day_round_trip(const struct day_schedule *day)
{
	json_t *canonical = schedule_day_json(day);
	FUZZ_CHECK(canonical != NULL);
	char error[512];
	struct day_schedule again;
	FUZZ_CHECK(schedule_parse_intervals(canonical, &again, error, sizeof(error)));
	schedule_day_sort(&again);
	json_t *twice = schedule_day_json(&again);
	FUZZ_CHECK(json_equal(canonical, twice));
	json_decref(twice);
	json_decref(canonical);
}

bool glue_opening_hours_weekly(struct fuzz_request *fuzz)
{
	json_t *body = NULL;
	struct weekly_schedule weekly;
	char error[512];
	bool parsed = api_parse_body_or_reply(&fuzz->request, weekly_fields, &body);
	bool valid = parsed && schedule_parse_weekly(body, &weekly, error, sizeof(error)) &&
	             schedule_validate_weekly(&weekly, error, sizeof(error));
	json_decref(body);
	if (parsed && !valid) {
		fuzz_check_text(error, sizeof(error), sizeof(error) - 1);
		http_reply_error(&fuzz->request, 400, "%s", error);
	}
	fuzz_check_verdict(fuzz, valid);
	if (!valid)
		return false;
	sort_week(&weekly);
	for (int d = 0; d < SCHEDULE_DAYS_IN_WEEK; d++)
		check_day_round_trip(&weekly.days[d]);
	struct exception_set *none = calloc(1, sizeof(*none));
	FUZZ_CHECK(none != NULL);
	FUZZ_CHECK(exceptions_fit(&weekly, none, error, sizeof(error)));
	free(none);
	return true;
}

bool glue_opening_hours_exception(struct fuzz_request *fuzz)
{
	json_t *body = NULL;
	struct day_schedule day;
	char error[512];
	bool parsed = api_parse_change_body_or_reply(&fuzz->request, exception_fields, exception_read_only, &body);
	json_t *intervals = parsed ? json_object_get(body, "intervals") : NULL;
	bool valid = intervals != NULL && schedule_parse_intervals(intervals, &day, error, sizeof(error));
	json_decref(body);
	if (parsed && !valid)
		http_reply_error(&fuzz->request, 400, "field 'intervals' is required or invalid");
	fuzz_check_verdict(fuzz, valid);
	if (!valid)
		return false;
	schedule_day_sort(&day);
	check_day_round_trip(&day);
	return true;
}

bool glue_exception_date_path(struct fuzz_request *fuzz)
{
	struct schedule_date date;
	bool accepted = path_date_or_reply(&fuzz->request, &date);
	fuzz_check_verdict(fuzz, accepted);
	if (accepted) {
		FUZZ_CHECK(schedule_date_is_valid(date.year, date.month, date.day));
		fuzz_check_text(date.text, sizeof(date.text), 10);
	}
	return accepted;
}
