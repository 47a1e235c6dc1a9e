/* camfleet: command-line entry. `serve` runs the HTTP service, `admin` bootstraps identities
 * without a token, `sim` runs simulated cameras against a server. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "util/build_info.h"

static void usage(FILE *out)
{
	fputs("usage: camfleet <command> [options]\n"
	      "\n"
	      "Camera-fleet management service.\n"
	      "\n"
	      "commands:\n"
	      "  serve    run the HTTP API (camfleet serve --help)\n"
	      "  admin    bootstrap identities without a token (camfleet admin --help)\n"
	      "  sim      run simulated cameras against a server (camfleet sim --help)\n"
	      "  routes   print the HTTP route table as JSON lines (method, pattern, public)\n"
	      "\n"
	      "options:\n"
	      "  -h, --help     show this help\n"
	      "  --version      print the version\n",
	      out);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *command = argv[1];
	if (strcmp(command, "-h") == 0 || strcmp(command, "--help") == 0 || strcmp(command, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(command, "--version") == 0) {
		printf("camfleet %s (commit %s)\n", build_info_version, build_info_commit);
		return 0;
	}
	if (strcmp(command, "serve") == 0)
		return cli_serve(argc - 1, argv + 1);
	if (strcmp(command, "admin") == 0)
		return cli_admin(argc - 1, argv + 1);
	if (strcmp(command, "sim") == 0)
		return cli_sim(argc - 1, argv + 1);
	if (strcmp(command, "routes") == 0)
		return cli_routes(argc - 1, argv + 1);
	fprintf(stderr, "camfleet: unknown command '%s'\n\n", command);
	usage(stderr);
	return 2;
}
