/* Option parsing for `camfleet sim` (getopt_long, like serve and admin). */
#include "sim/options.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

void sim_options_usage(FILE *out)
{
	fputs("usage: camfleet sim --url URL --cameras N [options]\n"
	      "\n"
	      "Runs N simulated cameras against a camfleet server. With an operator's API client it\n"
	      "registers the cameras (or reuses those in the state file), claims them to --site,\n"
	      "issues their device credentials, then heartbeats with varying metrics, reports video\n"
	      "uploads, and answers frame requests with JPEG pictures, until --duration ends or\n"
	      "SIGINT/SIGTERM; each camera then sends a last heartbeat saying it is shutting down.\n"
	      "A status line goes to stderr every 5 seconds. Exit 0 after a clean stop, 1 when setup\n"
	      "fails (the reason is printed), 2 on bad options.\n"
	      "\n"
	      "options:\n"
	      "  --url URL                 base URL of the camfleet server, e.g. http://127.0.0.1:8080\n"
	      "  --client-id ID            the operator's API client id (env CAMFLEET_SIM_CLIENT_ID)\n"
	      "  --client-secret SECRET    its secret (env CAMFLEET_SIM_CLIENT_SECRET)\n"
	      "  --credentials-file FILE   read clientId and clientSecret from FILE, the JSON printed by\n"
	      "                            `camfleet admin create-client` (options above win over it)\n"
	      "  --cameras N               how many cameras to run (1 to 100000)\n"
	      "  --site SITE_ID            claim the cameras to this site (moving them there if needed)\n"
	      "  --heartbeat-interval S    seconds between heartbeats (default: the server's\n"
	      "                            heartbeatInterval, 30 until it answers)\n"
	      "  --video-interval S        seconds between video upload reports (default 60)\n"
	      "  --command-poll S          poll for commands every S seconds without waiting (0: never)\n"
	      "                            instead of each camera's long poll, which holds a connection\n"
	      "                            per camera: for fleets larger than the open-file limit allows\n"
	      "                            (frame requests are then answered within S seconds, or not)\n"
	      "  --duration S              stop after S seconds of running (default: until a signal)\n"
	      "  --state-file FILE         where the cameras and their device secrets are kept between\n"
	      "                            runs (default ./camfleet-sim.json, written with mode 0600)\n"
	      "  --outage CAMERA_INDEX:START_S:LENGTH_S\n"
	      "                            the camera at CAMERA_INDEX (from 0, in the order of the state\n"
	      "                            file: 0 is \"Sim camera 1\" in a new one) goes silent START_S\n"
	      "                            seconds after the fleet starts running, for LENGTH_S seconds:\n"
	      "                            no request at all and no shutting_down heartbeat (the server\n"
	      "                            sees it offline when its online window passes), then it\n"
	      "                            heartbeats again. Repeatable, up to 256; a camera silent when\n"
	      "                            the sim stops sends no last heartbeat either\n"
	      "  -h, --help                show this help\n"
	      "\n"
	      "Seconds may have a fraction (0.5). Cameras start their heartbeats at random moments of\n"
	      "the first interval, so a large fleet spreads its load.\n",
	      out);
}

static int parse_seconds(const char *text, const char *option, double min, double max, double *out)
{
	char *end = NULL;
	errno = 0;
	double value = strtod(text, &end);
	if (errno != 0 || end == text || *end != '\0' || !isfinite(value) || value < min || value > max) {
		fprintf(stderr, "camfleet sim: %s must be a number of seconds from %g to %g, got '%s'\n", option, min,
		        max, text);
		return -1;
	}
	*out = value;
	return 0;
}

static int parse_count(const char *text, const char *option, unsigned long max, unsigned *out)
{
	char *end = NULL;
	errno = 0;
	unsigned long value = strtoul(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || value < 1 || value > max) {
		fprintf(stderr, "camfleet sim: %s must be a whole number from 1 to %lu, got '%s'\n", option, max, text);
		return -1;
	}
	*out = (unsigned)value;
	return 0;
}

static int copy_option(char *out, size_t out_size, const char *text, const char *option)
{
	if (text[0] == '\0' || strlen(text) >= out_size) {
		fprintf(stderr, "camfleet sim: %s must be 1 to %zu characters\n", option, out_size - 1);
		return -1;
	}
	memcpy(out, text, strlen(text) + 1);
	return 0;
}

/* Fills the credentials still missing from FILE ({"clientId": .., "clientSecret": ..}). */
static int read_credentials_file(const char *path, struct sim_options *options)
{
	json_error_t error;
	json_t *root = json_load_file(path, 0, &error);
	if (root == NULL) {
		fprintf(stderr, "camfleet sim: cannot read --credentials-file %s: %s\n", path, error.text);
		return -1;
	}
	const char *id = json_string_value(json_object_get(root, "clientId"));
	const char *secret = json_string_value(json_object_get(root, "clientSecret"));
	int result = 0;
	if (id == NULL || secret == NULL) {
		fprintf(stderr,
		        "camfleet sim: --credentials-file %s must hold \"clientId\" and \"clientSecret\" strings\n",
		        path);
		result = -1;
	}
	if (result == 0 && options->client_id[0] == '\0')
		result =
		    copy_option(options->client_id, sizeof(options->client_id), id, "clientId in the credentials file");
	if (result == 0 && options->client_secret[0] == '\0')
		result = copy_option(options->client_secret, sizeof(options->client_secret), secret,
		                     "clientSecret in the credentials file");
	json_decref(root);
	return result;
}

/* Adds one --outage CAMERA_INDEX:START_S:LENGTH_S (its index is checked against --cameras once
 * every option is read). */
static int add_outage(const char *text, struct sim_options *options)
{
	if (options->outage_count >= SIM_MAX_OUTAGES) {
		fprintf(stderr, "camfleet sim: at most %d --outage options\n", SIM_MAX_OUTAGES);
		return -1;
	}
	if (sim_outage_parse(text, &options->outages[options->outage_count]) != 0) {
		fprintf(
		    stderr,
		    "camfleet sim: --outage must be CAMERA_INDEX:START_S:LENGTH_S (seconds from 0 and a length of at "
		    "least %g seconds, both at most %.0f), got '%s'\n",
		    SIM_OUTAGE_MIN_LENGTH_S, SIM_OUTAGE_MAX_SECONDS, text);
		return -1;
	}
	options->outage_count++;
	return 0;
}

static int check_outage_cameras(const struct sim_options *options)
{
	for (size_t i = 0; i < options->outage_count; i++)
		if (options->outages[i].camera >= options->cameras) {
			fprintf(stderr,
			        "camfleet sim: --outage names camera index %u, but --cameras %u has indexes 0 to %u\n",
			        options->outages[i].camera, options->cameras, options->cameras - 1);
			return -1;
		}
	return 0;
}

static int parse_url(const char *text, struct sim_options *options)
{
	if (strncmp(text, "http://", 7) != 0 && strncmp(text, "https://", 8) != 0) {
		fprintf(stderr, "camfleet sim: --url must start with http:// or https://, got '%s'\n", text);
		return -1;
	}
	if (copy_option(options->url, sizeof(options->url), text, "--url") != 0)
		return -1;
	size_t length = strlen(options->url);
	while (length > 0 && options->url[length - 1] == '/')
		options->url[--length] = '\0';
	return 0;
}

static void set_defaults(struct sim_options *options)
{
	memset(options, 0, sizeof(*options));
	options->heartbeat_interval = SIM_DEFAULT_HEARTBEAT_INTERVAL;
	options->video_interval = SIM_DEFAULT_VIDEO_INTERVAL;
	options->command_poll = -1.0;
	snprintf(options->state_file, sizeof(options->state_file), "%s", SIM_DEFAULT_STATE_FILE);
}

/* The last steps: credentials from the file and the environment, then required options. */
static int complete_options(struct sim_options *options, const char *credentials_file)
{
	if (credentials_file != NULL && read_credentials_file(credentials_file, options) != 0)
		return -1;
	const char *env_id = getenv("CAMFLEET_SIM_CLIENT_ID");
	const char *env_secret = getenv("CAMFLEET_SIM_CLIENT_SECRET");
	if (options->client_id[0] == '\0' && env_id != NULL &&
	    copy_option(options->client_id, sizeof(options->client_id), env_id, "CAMFLEET_SIM_CLIENT_ID") != 0)
		return -1;
	if (options->client_secret[0] == '\0' && env_secret != NULL &&
	    copy_option(options->client_secret, sizeof(options->client_secret), env_secret,
	                "CAMFLEET_SIM_CLIENT_SECRET") != 0)
		return -1;
	if (options->url[0] == '\0') {
		fprintf(stderr, "camfleet sim: --url is required\n");
		return -1;
	}
	if (options->client_id[0] == '\0' || options->client_secret[0] == '\0') {
		fprintf(stderr, "camfleet sim: operator credentials are required: --client-id and --client-secret, "
		                "--credentials-file, or CAMFLEET_SIM_CLIENT_ID and CAMFLEET_SIM_CLIENT_SECRET\n");
		return -1;
	}
	if (options->cameras == 0) {
		fprintf(stderr, "camfleet sim: --cameras is required (1 to %d)\n", SIM_MAX_CAMERAS);
		return -1;
	}
	return check_outage_cameras(options);
}

enum sim_options_result sim_options_parse(int argc, char **argv, struct sim_options *options)
{
	enum {
		OPT_URL = 256,
		OPT_ID,
		OPT_SECRET,
		OPT_CREDENTIALS,
		OPT_CAMERAS,
		OPT_SITE,
		OPT_HEARTBEAT,
		OPT_VIDEO,
		OPT_DURATION,
		OPT_STATE,
		OPT_OUTAGE,
		OPT_COMMAND_POLL
	};
	static const struct option long_options[] = {
	    {"url", required_argument, NULL, OPT_URL},
	    {"client-id", required_argument, NULL, OPT_ID},
	    {"client-secret", required_argument, NULL, OPT_SECRET},
	    {"credentials-file", required_argument, NULL, OPT_CREDENTIALS},
	    {"cameras", required_argument, NULL, OPT_CAMERAS},
	    {"site", required_argument, NULL, OPT_SITE},
	    {"heartbeat-interval", required_argument, NULL, OPT_HEARTBEAT},
	    {"video-interval", required_argument, NULL, OPT_VIDEO},
	    {"command-poll", required_argument, NULL, OPT_COMMAND_POLL},
	    {"duration", required_argument, NULL, OPT_DURATION},
	    {"state-file", required_argument, NULL, OPT_STATE},
	    {"outage", required_argument, NULL, OPT_OUTAGE},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	set_defaults(options);
	const char *credentials_file = NULL;
	optind = 1;
	int option;
	int failed = 0;
	while (!failed && (option = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
		switch (option) {
		case OPT_URL: failed = parse_url(optarg, options); break;
		case OPT_ID:
			failed = copy_option(options->client_id, sizeof(options->client_id), optarg, "--client-id");
			break;
		case OPT_SECRET:
			failed = copy_option(options->client_secret, sizeof(options->client_secret), optarg,
			                     "--client-secret");
			break;
		case OPT_CREDENTIALS: credentials_file = optarg; break;
		case OPT_CAMERAS: failed = parse_count(optarg, "--cameras", SIM_MAX_CAMERAS, &options->cameras); break;
		case OPT_SITE:
			if (!uuid_normalize(optarg, options->site_id)) {
				fprintf(stderr, "camfleet sim: --site must be a site id (UUID), got '%s'\n", optarg);
				failed = -1;
			}
			break;
		case OPT_HEARTBEAT:
			failed =
			    parse_seconds(optarg, "--heartbeat-interval", 0.01, 3600, &options->heartbeat_interval);
			options->heartbeat_interval_given = true;
			break;
		case OPT_VIDEO:
			failed = parse_seconds(optarg, "--video-interval", 0.01, 86400, &options->video_interval);
			break;
		case OPT_DURATION:
			failed = parse_seconds(optarg, "--duration", 0.1, 365.0 * 86400, &options->duration);
			break;
		case OPT_STATE:
			failed = copy_option(options->state_file, sizeof(options->state_file), optarg, "--state-file");
			break;
		case OPT_OUTAGE: failed = add_outage(optarg, options); break;
		case OPT_COMMAND_POLL:
			failed = parse_seconds(optarg, "--command-poll", 0, 86400, &options->command_poll);
			break;
		case 'h': sim_options_usage(stdout); return SIM_OPTIONS_HELP;
		default: sim_options_usage(stderr); return SIM_OPTIONS_INVALID;
		}
	}
	if (failed)
		return SIM_OPTIONS_INVALID;
	if (optind < argc) {
		fprintf(stderr, "camfleet sim: unexpected argument '%s'\n", argv[optind]);
		return SIM_OPTIONS_INVALID;
	}
	return complete_options(options, credentials_file) == 0 ? SIM_OPTIONS_OK : SIM_OPTIONS_INVALID;
}
