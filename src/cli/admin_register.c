/* `camfleet admin register-cameras [--database URL] [--create] --csv FILE`: the factory's bulk registration
 * offline, straight on the database. Reads "cameraId,serialNumber" lines (domain/camera_csv.h; an
 * empty cameraId gets a new UUID), registers them 1,000 at a time through the store's
 * camera_register_many (the path the worker takes: the same pair again is "already registered", a
 * conflict fails naming the camera or serial), prints a progress line per 1,000 on stderr, each
 * failure as "line N: message" on stderr, and a JSON summary on stdout. Exit status 1 when any line
 * failed (or the database did), 2 on bad usage. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/async_outcome.h"
#include "domain/camera_csv.h"
#include "store/store.h"
#include "util/log.h"
#include "util/timeutil.h"

#define CHUNK            1000 /* cameras per transaction */
#define FAILED_LINES_MAX 1000 /* line numbers listed in the summary (all are counted) */

struct tally {
	size_t lines, registered, already, failed;
	size_t failed_lines[FAILED_LINES_MAX];
	size_t failed_listed;
};

struct chunk {
	struct camera_registration items[CHUNK];
	size_t line_numbers[CHUNK];
	size_t count;
};

static void usage(FILE *out)
{
	fputs("usage: camfleet admin register-cameras [--database URL] [--create] --csv FILE\n"
	      "  registers the cameras of FILE (\"-\": standard input), lines of cameraId,serialNumber\n"
	      "  (an optional header line first; an empty cameraId gets a new UUID). The same pair again\n"
	      "  is already registered (no change); a conflict with another camera fails. Progress and\n"
	      "  failures (line N: why) on stderr; a JSON summary on stdout; exit status 1 when any failed.\n"
	      "  --database defaults to $CAMFLEET_DATABASE, else " CLI_DEFAULT_DATABASE "; a database without\n"
	      "  camfleet's tables is refused unless --create is given.\n",
	      out);
}

static void note_failure(struct tally *tally, size_t line, const char *message)
{
	tally->failed++;
	if (tally->failed_listed < FAILED_LINES_MAX)
		tally->failed_lines[tally->failed_listed++] = line;
	fprintf(stderr, "line %zu: %s\n", line, message);
}

/* Registers the chunk in one transaction and counts what each line came to. */
static enum store_result register_chunk(struct store *store, struct chunk *chunk, struct tally *tally)
{
	if (chunk->count == 0)
		return STORE_OK;
	int64_t now_ms = time_now_millis();
	struct change_origin origin = {.actor = {.kind = EVENT_ACTOR_SYSTEM}, .at_ms = now_ms};
	enum store_result result =
	    store->ops->camera_register_many(store, chunk->items, chunk->count, now_ms / 1000, &origin);
	if (result != STORE_OK)
		return result;
	for (size_t i = 0; i < chunk->count; i++) {
		const struct camera_registration *item = &chunk->items[i];
		char message[400];
		bool succeeded = registration_outcome(item->result, item->camera_id, item->serial_number, item->other,
		                                      message, sizeof(message));
		if (!succeeded)
			note_failure(tally, chunk->line_numbers[i], message);
		else if (item->result == REGISTRATION_NEW)
			tally->registered++;
		else
			tally->already++;
	}
	chunk->count = 0;
	fprintf(stderr, "register-cameras: %zu lines read: %zu registered, %zu already registered, %zu failed\n",
	        tally->lines, tally->registered, tally->already, tally->failed);
	return STORE_OK;
}

/* Adds the line's pair to the chunk (a generated id when it has none); false when no id can be made. */
static bool add_pair(struct chunk *chunk, size_t line_number, const char *id, const char *serial)
{
	struct camera_registration *item = &chunk->items[chunk->count];
	memset(item, 0, sizeof(*item));
	if (id[0] != '\0')
		memcpy(item->camera_id, id, UUID_BUFFER_SIZE);
	else if (uuid_generate_text(item->camera_id) != 0)
		return false;
	snprintf(item->serial_number, sizeof(item->serial_number), "%s", serial);
	chunk->line_numbers[chunk->count++] = line_number;
	return true;
}

/* Reads and registers every line of in; 0, or 1 when the database failed (reported). */
static int register_file(struct store *store, FILE *in, struct chunk *chunk, struct tally *tally)
{
	char *line = NULL;
	size_t capacity = 0;
	ssize_t length;
	int status = 0;
	while (status == 0 && (length = getline(&line, &capacity, in)) >= 0) {
		tally->lines++;
		if (length > 0 && line[length - 1] == '\n')
			length--;
		char id[UUID_BUFFER_SIZE], serial[CAMERA_SERIAL_MAX + 1], error[128];
		enum camera_csv_line kind =
		    camera_csv_parse(line, (size_t)length, tally->lines == 1, id, serial, error, sizeof(error));
		if (kind == CAMERA_CSV_INVALID)
			note_failure(tally, tally->lines, error);
		if (kind != CAMERA_CSV_PAIR)
			continue;
		if (!add_pair(chunk, tally->lines, id, serial)) {
			fprintf(stderr, "camfleet admin: cannot generate a camera id\n");
			status = 1;
		} else if (chunk->count == CHUNK && register_chunk(store, chunk, tally) != STORE_OK) {
			status = 1;
		}
	}
	free(line);
	if (status == 0 && ferror(in)) {
		fprintf(stderr, "camfleet admin: cannot read the CSV: %s\n", strerror(errno));
		status = 1;
	}
	if (status == 0 && register_chunk(store, chunk, tally) != STORE_OK)
		status = 1;
	if (status != 0)
		fprintf(stderr,
		        "camfleet admin: stopped at line %zu; the cameras registered before stay registered: run"
		        " again to finish (pairs already registered are skipped)\n",
		        tally->lines);
	return status;
}

static int compare_lines(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

/* The summary, failed lines in order (invalid lines are found on reading, conflicts on writing). */
static void print_summary(struct tally *tally)
{
	qsort(tally->failed_lines, tally->failed_listed, sizeof(tally->failed_lines[0]), compare_lines);
	printf("{\"lines\": %zu, \"registered\": %zu, \"alreadyRegistered\": %zu, \"failed\": %zu, \"failedLines\": [",
	       tally->lines, tally->registered, tally->already, tally->failed);
	for (size_t i = 0; i < tally->failed_listed; i++)
		printf(i == 0 ? "%zu" : ", %zu", tally->failed_lines[i]);
	printf("]}\n");
}

int cli_admin_register_cameras(int argc, char **argv)
{
	static const struct option long_options[] = {
	    {"database", required_argument, NULL, 'd'},
	    {"csv", required_argument, NULL, 'c'},
	    {"create", no_argument, NULL, 'C'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *database = cli_admin_default_database(), *csv = NULL;
	bool create = false;
	optind = 1;
	int option;
	while ((option = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
		switch (option) {
		case 'd': database = optarg; break;
		case 'c': csv = optarg; break;
		case 'C': create = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (csv == NULL || optind != argc) {
		fprintf(stderr, "camfleet admin register-cameras: --csv is required\n");
		usage(stderr);
		return 2;
	}
	FILE *in = strcmp(csv, "-") == 0 ? stdin : fopen(csv, "r");
	if (in == NULL) {
		fprintf(stderr, "camfleet admin: cannot open %s: %s\n", csv, strerror(errno));
		return 1;
	}
	struct store *store = cli_admin_store_open(database, create);
	struct chunk *chunk = calloc(1, sizeof(*chunk));
	struct tally *tally = calloc(1, sizeof(*tally));
	int status = 1;
	if (store != NULL && chunk != NULL && tally != NULL) {
		status = register_file(store, in, chunk, tally);
		print_summary(tally);
		if (tally->failed > 0)
			status = 1;
	}
	free(tally);
	free(chunk);
	store_close(store);
	if (in != stdin)
		fclose(in);
	return status;
}
