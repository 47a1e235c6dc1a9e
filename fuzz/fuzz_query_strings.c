/* libFuzzer target: the query strings and path parameters of camfleet's endpoints, and the log
 * escaping every request path goes through. Input: byte 0 selects the endpoint (see parsers[]),
 * byte 1 the caller's role, the rest is the query string ("a=1&b=2", split as libmicrohttpd would
 * hand it over) or, for a path parameter, its text. */
#include <string.h>

#include "glue/glue.h"
#include "support/fuzz_request.h"
#include "util/log.h"
#include "util/log_escape.h"

/* Whether escaped ends in the truncation marker, read from the left as a log reader would: an
 * escape sequence starts at a backslash; only "\." starts the marker (and only at the end). */
static bool escaped_was_cut(const char *escaped, size_t length)
{
	for (size_t i = 0; i < length; i++) {
		if (escaped[i] != '\\')
			continue;
		FUZZ_CHECK(i + 1 < length); /* never a lone backslash at the end */
		if (escaped[i + 1] == '.') {
			FUZZ_CHECK(strcmp(escaped + i, LOG_ESCAPE_TRUNCATED) == 0);
			return true;
		}
		i += escaped[i + 1] == 'x' ? 3 : 1;
	}
	return false;
}

/* util/log_escape.h on the path text, into buffers of several sizes: the answer is always
 * NUL-terminated inside its buffer, holds no control byte, no byte from 0x7f up and no bare
 * quote, and is cut (with the marker) only when the whole escape could not fit. */
static bool fuzz_log_escape(struct fuzz_request *fuzz)
{
	const char *text = fuzz->request.path_params[0];
	size_t length = strlen(text);
	static const size_t sizes[] = {5, 6, 17, 64, 1024};
	char out[1024];
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		FUZZ_CHECK(log_escape(text, out, sizes[s]) == out);
		size_t written = strnlen(out, sizes[s]);
		FUZZ_CHECK(written < sizes[s]);
		for (size_t i = 0; i < written; i++) {
			unsigned char c = (unsigned char)out[i];
			FUZZ_CHECK(c >= 0x20 && c < 0x7f);
			if (c == '"') { /* escaped: an odd run of backslashes before it */
				size_t run = 0;
				while (run < i && out[i - 1 - run] == '\\')
					run++;
				FUZZ_CHECK(run % 2 == 1);
			}
		}
		bool cut = escaped_was_cut(out, written);
		if (sizes[s] >= LOG_ESCAPE_SIZE(length))
			FUZZ_CHECK(!cut);
	}
	return true;
}

struct parser {
	bool (*run)(struct fuzz_request *);
	int path_index; /* -1: the input is the query string; else the path parameter it fills */
};

static const struct parser parsers[] = {
    {glue_camera_list_query, -1},  {glue_camera_get_query, -1},      {glue_upload_metrics_query, -1},
    {glue_camera_hours_query, -1}, {glue_device_commands_query, -1}, {glue_list_organisation_query, -1},
    {glue_camera_state_path, 1},   {glue_exception_date_path, 1},    {glue_path_uuid, 0},
    {fuzz_log_escape, 0},
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
