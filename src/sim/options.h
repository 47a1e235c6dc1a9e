/* The command line of `camfleet sim`: parsing, defaults, and the operator credentials taken
 * from the options, a credentials file or the environment (in that order of preference). */
#ifndef CAMFLEET_SIM_OPTIONS_H
#define CAMFLEET_SIM_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "sim/outage.h"
#include "util/uuid.h"

#define SIM_MAX_CAMERAS                100000
#define SIM_DEFAULT_HEARTBEAT_INTERVAL 30.0
#define SIM_DEFAULT_VIDEO_INTERVAL     60.0
#define SIM_DEFAULT_STATE_FILE         "camfleet-sim.json"

struct sim_options {
	char url[512];       /* base URL without a trailing slash */
	char client_id[256]; /* the operator's API client */
	char client_secret[256];
	unsigned cameras;               /* how many cameras to run */
	char site_id[UUID_BUFFER_SIZE]; /* "" when cameras are not to be claimed */
	double heartbeat_interval;      /* seconds */
	bool heartbeat_interval_given;  /* false: follow the server's heartbeatInterval hint */
	double duration;                /* seconds of running; 0 = until SIGINT or SIGTERM */
	double video_interval;          /* seconds between video upload reports */
	/* --command-poll: < 0 (the default) long-polls GET /device/commands without pause, holding a
	 * connection per camera as a real camera does; 0 never polls (no frames); > 0 polls every
	 * this many seconds without waiting, so that a large fleet shares a few connections. */
	double command_poll;
	char state_file[1024];
	struct sim_outage outages[SIM_MAX_OUTAGES]; /* --outage, in the order given */
	size_t outage_count;
};

enum sim_options_result { SIM_OPTIONS_OK, SIM_OPTIONS_HELP, SIM_OPTIONS_INVALID };

/* Prints the usage text of `camfleet sim`. */
void sim_options_usage(FILE *out);
/* Parses argv (argv[0] is "sim") into options; SIM_OPTIONS_INVALID after printing the reason
 * on stderr; SIM_OPTIONS_HELP after printing the usage on stdout. */
enum sim_options_result sim_options_parse(int argc, char **argv, struct sim_options *options);

#endif
