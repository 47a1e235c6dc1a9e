/* Glue for src/api/register_batches.c: the body of POST /register-camera-batches, read by the
 * handler's own reader (read_batch_or_reply) before it goes to the store. */
#include "api/register_batches.c"

#include "../support/fuzz_request.h"
#include "glue.h"

bool glue_register_batch(struct fuzz_request *fuzz)
{
	struct http_request *request = &fuzz->request;
	json_t *body = NULL;
	struct async_request *items = NULL;
	size_t count = 0;
	bool accepted = api_parse_body_or_reply(request, batch_fields, &body);
	if (accepted) {
		accepted = read_batch_or_reply(request, body, &items, &count);
		json_decref(body);
	}
	fuzz_check_verdict(fuzz, accepted);
	if (accepted) {
		FUZZ_CHECK(items != NULL && count >= 1 && count <= BATCH_ITEMS_MAX);
		for (size_t i = 0; i < count; i++) {
			fuzz_check_uuid(items[i].camera_id, false);
			fuzz_check_text(items[i].serial_number, sizeof(items[i].serial_number), CAMERA_SERIAL_MAX);
		}
	} else {
		FUZZ_CHECK(items == NULL);
	}
	free(items);
	return accepted;
}
