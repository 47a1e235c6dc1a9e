/* `camfleet routes`: prints the HTTP route table the server routes with (api_routes_build), one
 * JSON object per line: {"method", "pattern", "public"}. Tests read it so that no route can be
 * left out of the access matrix (tests/api/test_access_matrix.py). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/routes.h"
#include "cli/cli.h"

static void routes_usage(FILE *out)
{
	fputs("usage: camfleet routes\n"
	      "\n"
	      "Prints every HTTP route of the API, one JSON object per line:\n"
	      "  {\"method\": \"GET\", \"pattern\": \"/cameras/{cameraId}\", \"public\": false}\n"
	      "public routes need no access token.\n",
	      out);
}

/* Writes one route as a JSON line; 0, or -1 when it cannot be encoded or written. */
static int print_route(const struct route *route)
{
	json_t *line = json_pack("{s:s, s:s, s:b}", "method", route->method, "pattern", route->pattern, "public",
	                         (route->flags & ROUTE_PUBLIC) != 0);
	char *text = line != NULL ? json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(line);
	if (text == NULL)
		return -1;
	int written = puts(text);
	free(text);
	return written < 0 ? -1 : 0;
}

int cli_routes(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		routes_usage(stdout);
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "camfleet routes: unexpected argument '%s'\n\n", argv[1]);
		routes_usage(stderr);
		return 2;
	}
	size_t count = 0;
	struct route *routes = api_routes_build(&count); /* owned here: freed below */
	if (routes == NULL) {
		fprintf(stderr, "camfleet routes: out of memory\n");
		return 1;
	}
	int status = 0;
	for (size_t i = 0; i < count && status == 0; i++)
		if (print_route(&routes[i]) != 0)
			status = 1;
	free(routes);
	if (fflush(stdout) != 0)
		status = 1;
	if (status != 0)
		fprintf(stderr, "camfleet routes: cannot write the route table\n");
	return status;
}
