/* Glue for src/api/async_requests.c: the bodies of both asynchronous request kinds. Their parsing
 * is inline in the handlers (which go on to the store at once); these functions make the same
 * calls in the same order, on the handler file's own field lists and helpers. */
#include "api/async_requests.c"

#include "../support/fuzz_request.h"
#include "glue.h"

bool glue_register_request(struct fuzz_request *fuzz)
{
	struct http_request *request = &fuzz->request;
	json_t *body = NULL;
	char camera_id[UUID_BUFFER_SIZE];
	char serial[CAMERA_SERIAL_MAX + 1];
	bool accepted = api_parse_body_or_reply(request, register_fields, &body);
	if (accepted) {
		accepted = api_uuid_field_or_reply(request, body, "cameraId", true, camera_id, NULL) &&
		           api_string_field_or_reply(request, body, "serialNumber", FIELD_REQUIRED, 1,
		                                     CAMERA_SERIAL_MAX, serial, sizeof(serial), NULL, NULL);
		json_decref(body);
	}
	fuzz_check_verdict(fuzz, accepted);
	if (accepted) {
		fuzz_check_uuid(camera_id, false);
		fuzz_check_text(serial, sizeof(serial), CAMERA_SERIAL_MAX);
	}
	return accepted;
}

bool glue_put_state_request(struct fuzz_request *fuzz)
{
	struct http_request *request = &fuzz->request;
	json_t *body = NULL;
	char camera_id[UUID_BUFFER_SIZE];
	char new_state[16];
	enum camera_state target = CAMERA_RUNNING;
	bool accepted = api_parse_body_or_reply(request, put_state_fields, &body);
	if (accepted) {
		accepted = api_uuid_field_or_reply(request, body, "cameraId", true, camera_id, NULL) &&
		           read_new_state_or_reply(request, body, new_state, &target);
		json_decref(body);
	}
	fuzz_check_verdict(fuzz, accepted);
	if (accepted) {
		fuzz_check_uuid(camera_id, false);
		fuzz_check_text(new_state, sizeof(new_state), sizeof(new_state) - 1);
		FUZZ_CHECK(target == CAMERA_RUNNING || target == CAMERA_PAUSED);
	}
	return accepted;
}
