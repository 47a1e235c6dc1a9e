/* Glue for src/api/camera_actions.c: the move body, the state path, the opening-hours date and
 * the upload-metrics window. */
#include "api/camera_actions.c"

#include "../support/fuzz_request.h"
#include "glue.h"

bool glue_camera_move(struct fuzz_request *fuzz)
{
	char site_id[UUID_BUFFER_SIZE];
	memset(site_id, 0x55, sizeof(site_id));
	bool accepted = parse_move_or_reply(&fuzz->request, site_id);
	fuzz_check_verdict(fuzz, accepted);
	if (accepted)
		fuzz_check_uuid(site_id, false);
	return accepted;
}

bool glue_camera_state_path(struct fuzz_request *fuzz)
{
	enum camera_action action;
	bool accepted = state_action_or_reply(&fuzz->request, &action);
	fuzz_check_verdict(fuzz, accepted);
	if (accepted)
		FUZZ_CHECK(action == CAMERA_ACTION_RUN || action == CAMERA_ACTION_PAUSE);
	return accepted;
}

bool glue_camera_hours_query(struct fuzz_request *fuzz)
{
	struct schedule_date date;
	bool accepted = query_date_or_reply(&fuzz->request, "Europe/Paris", &date);
	fuzz_check_verdict(fuzz, accepted);
	if (accepted) {
		FUZZ_CHECK(schedule_date_is_valid(date.year, date.month, date.day));
		fuzz_check_text(date.text, sizeof(date.text), 10);
	}
	return accepted;
}

bool glue_upload_metrics_query(struct fuzz_request *fuzz)
{
	int64_t from = 0, to = 0;
	bool accepted = query_window_or_reply(&fuzz->request, &from, &to);
	fuzz_check_verdict(fuzz, accepted);
	if (accepted)
		FUZZ_CHECK(from <= to);
	return accepted;
}

bool glue_frame_request(struct fuzz_request *fuzz)
{
	char camera_id[UUID_BUFFER_SIZE];
	memset(camera_id, 0x55, sizeof(camera_id));
	bool accepted = parse_frame_request_or_reply(&fuzz->request, camera_id);
	fuzz_check_verdict(fuzz, accepted);
	if (accepted)
		fuzz_check_uuid(camera_id, false);
	return accepted;
}
