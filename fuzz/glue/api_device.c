/* Glue for src/api/device.c: the heartbeat and video-upload report bodies and the commands wait. */
#include "api/device.c"

#include "../support/fuzz_request.h"
#include "glue.h"

bool glue_device_heartbeat(struct fuzz_request *fuzz)
{
	struct heartbeat beat = {0};
	bool accepted = parse_heartbeat_or_reply(&fuzz->request, &beat);
	fuzz_check_verdict(fuzz, accepted);
	if (accepted) {
		FUZZ_CHECK(beat.encoded_frames_proportion >= 0.0 && beat.encoded_frames_proportion <= 1.0);
		FUZZ_CHECK(isfinite(beat.network_transmit_rate) && beat.network_transmit_rate >= 0.0);
		FUZZ_CHECK(isfinite(beat.video_backlog) && beat.video_backlog >= 0.0);
		FUZZ_CHECK(isfinite(beat.video_upload_latency) && beat.video_upload_latency >= 0.0);
	}
	return accepted;
}

bool glue_device_video_upload(struct fuzz_request *fuzz)
{
	struct video_upload upload = {0};
	bool accepted = parse_upload_or_reply(&fuzz->request, &upload);
	fuzz_check_verdict(fuzz, accepted);
	if (accepted) {
		FUZZ_CHECK(upload.bytes >= 0 && upload.bytes <= UPLOAD_BYTES_MAX);
		FUZZ_CHECK(upload.seconds >= 0.0 && upload.seconds <= UPLOAD_SECONDS_MAX);
		FUZZ_CHECK(upload.uploaded_at > 0);
	}
	return accepted;
}

bool glue_device_commands_query(struct fuzz_request *fuzz)
{
	unsigned wait = 99;
	bool accepted = query_wait_or_reply(&fuzz->request, &wait);
	fuzz_check_verdict(fuzz, accepted);
	if (accepted)
		FUZZ_CHECK(wait <= COMMANDS_WAIT_MAX);
	return accepted;
}

bool glue_device_frame(struct fuzz_request *fuzz)
{
	struct MHD_Connection *connection = &fuzz->connection;
	connection->headers[connection->header_count].key = "Content-Type";
	connection->headers[connection->header_count].value = "image/jpeg";
	connection->header_count++;
	bool accepted = jpeg_content_type_or_reply(&fuzz->request) && jpeg_body_or_reply(&fuzz->request);
	fuzz_check_verdict(fuzz, accepted);
	return accepted;
}
