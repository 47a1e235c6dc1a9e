/* libFuzzer target: the simulator's reading of the server's answers (src/sim/). Input byte 0
 * selects the reader (see glue_sim_read_answer: device token, heartbeat, commands, one of the
 * setup steps, operator token, the camera's name), byte 1 the HTTP status (low 3 bits) and whether --site was given
 * (bit 7); the rest is the answer's body (NUL-terminated as libcurl's buffer is). */
#include <string.h>

#include "glue/glue.h"
#include "sim/http_client.h"
#include "support/fuzz_check.h"
#include "util/log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_set_level(LOG_ERROR);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = {200, 201, 202, 400, 401, 404, 409, 500};
	if (size < 2)
		return 0;
	char *body = malloc(size - 2 + 1);
	FUZZ_CHECK(body != NULL);
	memcpy(body, data + 2, size - 2);
	body[size - 2] = '\0';
	struct http_result result = {
	    .status = statuses[data[1] & 7],
	    .error = NULL,
	    .body = body,
	    .body_length = size - 2,
	};
	glue_sim_read_answer(data[0], (data[1] & 0x80) != 0, &result);
	free(body);
	return 0;
}
