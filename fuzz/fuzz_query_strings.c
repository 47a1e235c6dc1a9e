/* libFuzzer target: the query strings and path parameters of camfleet's endpoints. Input: byte 0
 * selects the endpoint (see parsers[]), byte 1 the caller's role, the rest is the query string
 * ("a=1&b=2", split as libmicrohttpd would hand it over) or, for a path parameter, its text. */
#include <string.h>

#include "glue/glue.h"
#include "support/fuzz_request.h"
#include "util/log.h"

struct parser {
	bool (*run)(struct fuzz_request *);
	int path_index; /* -1: the input is the query string; else the path parameter it fills */
};

static const struct parser parsers[] = {
    {glue_camera_list_query, -1},    {glue_camera_get_query, -1},      {glue_upload_metrics_query, -1},
    {glue_camera_hours_query, -1},   {glue_device_commands_query, -1}, {glue_list_organisation_query, -1},
    {glue_camera_state_path, 1},     {glue_exception_date_path, 1},    {glue_path_uuid, 0},
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
	const struct parser *parser = &parsers[data[0] % (sizeof(parsers) / sizeof(parsers[0]))];
	struct fuzz_request *fuzz = malloc(sizeof(*fuzz));
	FUZZ_CHECK(fuzz != NULL);
	fuzz_request_begin(fuzz, NULL, 0, fuzz_role(data[1]));
	char *path_text = NULL;
	if (parser->path_index < 0) {
		fuzz_request_query(fuzz, data + 2, size - 2);
	} else {
		path_text = strndup((const char *)data + 2, size - 2); /* a path parameter has no NUL */
		FUZZ_CHECK(path_text != NULL);
		fuzz->request.path_params[0] = "00000000-0000-4000-8000-000000000000";
		fuzz->request.path_params[parser->path_index] = path_text;
		fuzz->request.path_param_count = (size_t)parser->path_index + 1;
	}
	(void)parser->run(fuzz);
	fuzz_request_end(fuzz);
	free(path_text);
	free(fuzz);
	return 0;
}
