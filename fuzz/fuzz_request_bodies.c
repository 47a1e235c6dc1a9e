/* libFuzzer target: every request body camfleet parses (the JSON bodies and the device's JPEG
 * frames). Input: byte 0 selects the body's endpoint (see parsers[]), byte 1 the caller's role,
 * the rest is the body. Each parser must either accept and produce bounded, NUL-terminated,
 * valid fields, or answer exactly one 4xx. */
#include "glue/glue.h"
#include "support/fuzz_request.h"
#include "util/log.h"

static bool (*const parsers[])(struct fuzz_request *) = {
    glue_camera_claim,
    glue_camera_patch,
    glue_camera_move,
    glue_put_state_request,
    glue_register_request,
    glue_opening_hours_weekly,
    glue_opening_hours_exception,
    glue_device_heartbeat,
    glue_device_video_upload,
    glue_user_create,
    glue_user_patch,
    glue_user_sites,
    glue_client_create,
    glue_site_create,
    glue_site_patch,
    glue_organisation_create,
    glue_organisation_patch,
    glue_frame_request,
    glue_device_frame,
    glue_register_batch,
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_set_level(LOG_ERROR);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t which = data[0] % (sizeof(parsers) / sizeof(parsers[0]));
	struct fuzz_request *fuzz = malloc(sizeof(*fuzz));
	FUZZ_CHECK(fuzz != NULL);
	fuzz_request_begin(fuzz, data + 2, size - 2, fuzz_role(data[1]));
	(void)parsers[which](fuzz);
	fuzz_request_end(fuzz);
	free(fuzz);
	return 0;
}
