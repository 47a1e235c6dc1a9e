/* `camfleet serve`: configuration from options and environment, start-up of the store, token
 * service, worker, device hub and HTTP server, and an orderly shutdown on SIGTERM or SIGINT. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/routes.h"
#include "api/camera_read_batch.h"
#include "api/password_checks.h"
#include "app.h"
#include "auth/password_gate.h"
#include "auth/tokens.h"
#include "cli/cli.h"
#include "device/hub.h"
#include "domain/local_time.h"
#include "api/meta.h"
#include "http/metrics.h"
#include "http/metrics_listener.h"
#include "http/public_url.h"
#include "http/rate_limit.h"
#include "http/server.h"
#include "jobs/async_worker.h"
#include "store/store.h"
#include "store/store_bus.h"
#include "util/log.h"

static void serve_usage(FILE *out)
{
	fputs("usage: camfleet serve [options]\n"
	      "\n"
	      "Runs the camfleet HTTP API until SIGTERM or SIGINT (then drains requests in flight and exits 0).\n"
	      "\n"
	      "options:\n"
	      "  --listen HOST:PORT        address to listen on (env CAMFLEET_LISTEN; default 127.0.0.1:8080)\n"
	      "  --database URL            sqlite:PATH, or postgres://USER:PASSWORD@HOST:PORT/DB for nodes\n"
	      "                            sharing one PostgreSQL (env CAMFLEET_DATABASE; default\n"
	      "                            sqlite:camfleet.db)\n"
	      "  --issuer TEXT             token issuer (iss claim) (env CAMFLEET_ISSUER; default camfleet)\n"
	      "  --token-ttl SECONDS       access-token lifetime (default 3600)\n"
	      "  --signing-key-file PATH   sign tokens with this PEM EC P-256 private key (mode 0600 or\n"
	      "                            stricter) instead of the database's keys (env\n"
	      "                            CAMFLEET_SIGNING_KEY_FILE)\n"
	      "  --threads N               HTTP worker threads (default: number of CPUs)\n"
	      "  --max-body BYTES          largest request body accepted, else 413 (default 65536)\n"
	      "  --max-upload BYTES        largest camera frame upload accepted (default 2097152)\n"
	      "  --max-connections N       concurrent connections accepted (default 4096)\n"
	      "  --connection-timeout S    idle/slow connection timeout in seconds (default 30)\n"
	      "  --frame-max-age S         seconds a stored frame counts as fresh (default 5)\n"
	      "  --frame-wait S            seconds a frame request waits for the camera's upload (default 5)\n"
	      "  --online-window S         seconds after a heartbeat a camera counts as online (default 90)\n"
	      "  --log-level LEVEL         debug, info, warn or error (default info)\n"
	      "  --public-url URL          base of every absolute URL handed out: http(s)://HOST[:PORT][/PATH]\n"
	      "                            (env CAMFLEET_PUBLIC_URL; default http:// + the listen address)\n"
	      "  --max-connections-per-address N\n"
	      "                            connections at once from one client address (default 0: no limit;\n"
	      "                            set it only when clients connect directly, not behind a load balancer)\n"
	      "  --metrics-listen HOST:PORT\n"
	      "                            also serve GET /metrics without a token on this address (default off;\n"
	      "                            on the main address /metrics needs an operator token)\n"
	      "rate limits of this node (README \"Rate limits\"; 0 turns a limit off):\n"
	      "  --rate-limit-client N     API requests per second per client, burst N (default 20000)\n"
	      "  --rate-limit-organisation N  the same per organisation (default 200000)\n"
	      "  --login-failures-per-user N  failed logins per username or client id allowed in 15 min\n"
	      "                            before lockouts of 1 s doubling to 15 min (default 5)\n"
	      "  --login-failures-per-address N  the same per source address (default 30)\n"
	      "  --password-concurrency N  argon2 computations at once (default: number of CPUs)\n"
	      "  --password-wait MS        wait for an argon2 turn before 503 (default 2000)\n"
	      "  -h, --help                show this help\n",
	      out);
}

static int parse_unsigned(const char *text, const char *option, unsigned long min, unsigned long max,
			  unsigned long *out)
{
	char *end = NULL;
	errno = 0;
	unsigned long value = strtoul(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || value < min || value > max) {
		fprintf(stderr, "camfleet serve: %s must be a whole number from %lu to %lu, got '%s'\n", option, min, max,
			text);
		return -1;
	}
	*out = value;
	return 0;
}

/* HOST:PORT (an IPv6 host in brackets) of option into host (host_size bytes) and *port. */
static int parse_host_port(const char *text, const char *option, char *host_out, size_t host_size, unsigned *port_out)
{
	const char *colon = strrchr(text, ':');
	if (colon == NULL) {
		fprintf(stderr, "camfleet serve: %s must be HOST:PORT, got '%s'\n", option, text);
		return -1;
	}
	size_t host_length = (size_t)(colon - text);
	const char *host = text;
	if (host_length >= 2 && host[0] == '[' && host[host_length - 1] == ']') {
		host++;
		host_length -= 2;
	}
	if (host_length >= host_size) {
		fprintf(stderr, "camfleet serve: host name too long in %s\n", option);
		return -1;
	}
	memcpy(host_out, host, host_length);
	host_out[host_length] = '\0';
	unsigned long port;
	char what[64];
	snprintf(what, sizeof(what), "the port of %s", option);
	if (parse_unsigned(colon + 1, what, 0, 65535, &port) != 0)
		return -1;
	*port_out = (unsigned)port;
	return 0;
}

static int parse_listen(const char *text, struct app_config *config)
{
	return parse_host_port(text, "--listen", config->listen_host, sizeof(config->listen_host), &config->listen_port);
}

/* --public-url (or CAMFLEET_PUBLIC_URL) into config->public_url; see http/public_url.h. */
static int parse_public_url(const char *text, struct app_config *config)
{
	const char *error = NULL;
	if (public_url_normalize(text, config->public_url, sizeof(config->public_url), &error) != 0) {
		fprintf(stderr, "camfleet serve: --public-url '%s' is not usable: %s\n", text, error);
		return -1;
	}
	return 0;
}

/* Rate-limit options (README "Rate limits"): their getopt codes, defaults and parsing. */
enum { OPT_RATE_LIMIT_CLIENT = 512, OPT_RATE_LIMIT_ORGANISATION, OPT_LOGIN_FAILURES_USER, OPT_LOGIN_FAILURES_ADDRESS,
       OPT_PASSWORD_CONCURRENCY, OPT_PASSWORD_WAIT };
#define RATE_LIMIT_OPTIONS                                                                   \
	{"rate-limit-client", required_argument, NULL, OPT_RATE_LIMIT_CLIENT},                   \
	{"rate-limit-organisation", required_argument, NULL, OPT_RATE_LIMIT_ORGANISATION},       \
	{"login-failures-per-user", required_argument, NULL, OPT_LOGIN_FAILURES_USER},           \
	{"login-failures-per-address", required_argument, NULL, OPT_LOGIN_FAILURES_ADDRESS},     \
	{"password-concurrency", required_argument, NULL, OPT_PASSWORD_CONCURRENCY},             \
	{"password-wait", required_argument, NULL, OPT_PASSWORD_WAIT},

static void rate_limit_defaults(struct app_config *config)
{
	config->rate_limit_client = 20000;
	config->rate_limit_organisation = 200000;
	config->login_failures_per_user = 5;
	config->login_failures_per_address = 30;
	config->password_concurrency = config->threads; /* the number of CPUs */
	config->password_wait_ms = 2000;
}

/* 1 when option is a rate-limit option and optarg was taken, -1 when it is one but invalid, 0 otherwise. */
static int parse_rate_limit_option(int option, struct app_config *config)
{
	static const struct {
		int code;
		const char *name;
		unsigned long min, max;
		size_t offset;
	} table[] = {
		{OPT_RATE_LIMIT_CLIENT, "--rate-limit-client", 0, 100000000, offsetof(struct app_config, rate_limit_client)},
		{OPT_RATE_LIMIT_ORGANISATION, "--rate-limit-organisation", 0, 100000000,
		 offsetof(struct app_config, rate_limit_organisation)},
		{OPT_LOGIN_FAILURES_USER, "--login-failures-per-user", 0, 1000000,
		 offsetof(struct app_config, login_failures_per_user)},
		{OPT_LOGIN_FAILURES_ADDRESS, "--login-failures-per-address", 0, 1000000,
		 offsetof(struct app_config, login_failures_per_address)},
		{OPT_PASSWORD_CONCURRENCY, "--password-concurrency", 1, 1024, offsetof(struct app_config, password_concurrency)},
		{OPT_PASSWORD_WAIT, "--password-wait", 0, 60000, offsetof(struct app_config, password_wait_ms)},
	};
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (table[i].code != option)
			continue;
		unsigned long value;
		if (parse_unsigned(optarg, table[i].name, table[i].min, table[i].max, &value) != 0)
			return -1;
		*(unsigned *)((char *)config + table[i].offset) = (unsigned)value;
		return 1;
	}
	return 0;
}

static void config_defaults(struct app_config *config)
{
	memset(config, 0, sizeof(*config));
	snprintf(config->listen_host, sizeof(config->listen_host), "127.0.0.1");
	config->listen_port = 8080;
	snprintf(config->database_url, sizeof(config->database_url), "sqlite:camfleet.db");
	snprintf(config->issuer, sizeof(config->issuer), "camfleet");
	config->token_ttl_seconds = 3600;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	config->threads = cpus > 0 ? (unsigned)cpus : 2;
	config->max_body_bytes = 64 * 1024;
	config->max_upload_bytes = 2 * 1024 * 1024;
	config->max_connections = 4096;
	config->connection_timeout = 30;
	config->frame_max_age = 5;
	config->frame_wait = 5;
	config->online_window = 90;
	rate_limit_defaults(config);
}

static int parse_serve_options(int argc, char **argv, struct app_config *config)
{
	config_defaults(config);
	const char *env_listen = getenv("CAMFLEET_LISTEN");
	const char *env_database = getenv("CAMFLEET_DATABASE");
	const char *env_issuer = getenv("CAMFLEET_ISSUER");
	if (env_listen != NULL && parse_listen(env_listen, config) != 0)
		return -1;
	if (env_database != NULL)
		snprintf(config->database_url, sizeof(config->database_url), "%s", env_database);
	if (env_issuer != NULL)
		snprintf(config->issuer, sizeof(config->issuer), "%s", env_issuer);
	const char *env_public_url = getenv("CAMFLEET_PUBLIC_URL");
	if (env_public_url != NULL && parse_public_url(env_public_url, config) != 0)
		return -1;

	const char *env_signing_key_file = getenv("CAMFLEET_SIGNING_KEY_FILE");
	if (env_signing_key_file != NULL)
		snprintf(config->signing_key_file, sizeof(config->signing_key_file), "%s", env_signing_key_file);

	enum { OPT_LISTEN = 256, OPT_DATABASE, OPT_ISSUER, OPT_TTL, OPT_THREADS, OPT_MAX_BODY, OPT_MAX_UPLOAD, OPT_MAX_CONN,
	       OPT_TIMEOUT, OPT_FRAME_AGE, OPT_FRAME_WAIT, OPT_ONLINE, OPT_LOG_LEVEL,
	       OPT_PUBLIC_URL, OPT_PER_ADDRESS, OPT_METRICS_LISTEN, OPT_SIGNING_KEY_FILE };
	static const struct option options[] = {
		{"listen", required_argument, NULL, OPT_LISTEN},
		{"database", required_argument, NULL, OPT_DATABASE},
		{"issuer", required_argument, NULL, OPT_ISSUER},
		{"token-ttl", required_argument, NULL, OPT_TTL},
		{"threads", required_argument, NULL, OPT_THREADS},
		{"max-body", required_argument, NULL, OPT_MAX_BODY},
		{"max-upload", required_argument, NULL, OPT_MAX_UPLOAD},
		{"max-connections", required_argument, NULL, OPT_MAX_CONN},
		{"connection-timeout", required_argument, NULL, OPT_TIMEOUT},
		{"frame-max-age", required_argument, NULL, OPT_FRAME_AGE},
		{"frame-wait", required_argument, NULL, OPT_FRAME_WAIT},
		{"online-window", required_argument, NULL, OPT_ONLINE},
		{"log-level", required_argument, NULL, OPT_LOG_LEVEL},
		{"public-url", required_argument, NULL, OPT_PUBLIC_URL},
		{"max-connections-per-address", required_argument, NULL, OPT_PER_ADDRESS},
		{"metrics-listen", required_argument, NULL, OPT_METRICS_LISTEN},
		RATE_LIMIT_OPTIONS
		{"signing-key-file", required_argument, NULL, OPT_SIGNING_KEY_FILE},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	optind = 1;
	int option;
	unsigned long value;
	while ((option = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		int rate_limit_option = parse_rate_limit_option(option, config);
		if (rate_limit_option < 0)
			return -1;
		if (rate_limit_option > 0)
			continue;
		switch (option) {
		case OPT_LISTEN:
			if (parse_listen(optarg, config) != 0)
				return -1;
			break;
		case OPT_DATABASE:
			snprintf(config->database_url, sizeof(config->database_url), "%s", optarg);
			break;
		case OPT_ISSUER:
			snprintf(config->issuer, sizeof(config->issuer), "%s", optarg);
			break;
		case OPT_TTL:
			if (parse_unsigned(optarg, "--token-ttl", 1, 86400 * 7, &value) != 0)
				return -1;
			config->token_ttl_seconds = (unsigned)value;
			break;
		case OPT_THREADS:
			if (parse_unsigned(optarg, "--threads", 1, 256, &value) != 0)
				return -1;
			config->threads = (unsigned)value;
			break;
		case OPT_MAX_BODY:
			if (parse_unsigned(optarg, "--max-body", 1024, 64 * 1024 * 1024, &value) != 0)
				return -1;
			config->max_body_bytes = value;
			break;
		case OPT_MAX_UPLOAD:
			if (parse_unsigned(optarg, "--max-upload", 1024, 64 * 1024 * 1024, &value) != 0)
				return -1;
			config->max_upload_bytes = value;
			break;
		case OPT_MAX_CONN:
			if (parse_unsigned(optarg, "--max-connections", 1, 1000000, &value) != 0)
				return -1;
			config->max_connections = (unsigned)value;
			break;
		case OPT_TIMEOUT:
			if (parse_unsigned(optarg, "--connection-timeout", 1, 3600, &value) != 0)
				return -1;
			config->connection_timeout = (unsigned)value;
			break;
		case OPT_FRAME_AGE:
			if (parse_unsigned(optarg, "--frame-max-age", 0, 3600, &value) != 0)
				return -1;
			config->frame_max_age = (unsigned)value;
			break;
		case OPT_FRAME_WAIT:
			if (parse_unsigned(optarg, "--frame-wait", 0, 120, &value) != 0)
				return -1;
			config->frame_wait = (unsigned)value;
			break;
		case OPT_ONLINE:
			if (parse_unsigned(optarg, "--online-window", 1, 86400, &value) != 0)
				return -1;
			config->online_window = (unsigned)value;
			break;
		case OPT_LOG_LEVEL:
			if (strcmp(optarg, "debug") == 0)
				log_set_level(LOG_DEBUG);
			else if (strcmp(optarg, "info") == 0)
				log_set_level(LOG_INFO);
			else if (strcmp(optarg, "warn") == 0)
				log_set_level(LOG_WARN);
			else if (strcmp(optarg, "error") == 0)
				log_set_level(LOG_ERROR);
			else {
				fprintf(stderr, "camfleet serve: --log-level must be debug, info, warn or error\n");
				return -1;
			}
			break;
		/* the edge: public URL, connections per address, the metrics listener */
		case OPT_PUBLIC_URL:
			if (parse_public_url(optarg, config) != 0)
				return -1;
			break;
		case OPT_PER_ADDRESS:
			if (parse_unsigned(optarg, "--max-connections-per-address", 0, 1000000, &value) != 0)
				return -1;
			config->max_connections_per_address = (unsigned)value;
			break;
		case OPT_METRICS_LISTEN:
			if (parse_host_port(optarg, "--metrics-listen", config->metrics_listen_host,
					    sizeof(config->metrics_listen_host), &config->metrics_listen_port) != 0)
				return -1;
			config->metrics_listen = true;
			break;
		case OPT_SIGNING_KEY_FILE:
			if (strlen(optarg) >= sizeof(config->signing_key_file)) {
				fprintf(stderr, "camfleet serve: --signing-key-file path too long\n");
				return -1;
			}
			snprintf(config->signing_key_file, sizeof(config->signing_key_file), "%s", optarg);
			break;
		case 'h':
			serve_usage(stdout);
			return 1;
		default:
			serve_usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "camfleet serve: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (config->public_url[0] == '\0' &&
	    public_url_from_listen(config->listen_host, config->listen_port, config->public_url,
				   sizeof(config->public_url)) != 0) {
		fprintf(stderr, "camfleet serve: the listen address is too long for a public URL; give --public-url\n");
		return -1;
	}
	return 0;
}

#define LARGE_BLOCK_BYTES (4 * 1024 * 1024)
#define TRIM_THRESHOLD_BYTES (16 * 1024 * 1024)

int cli_serve(int argc, char **argv)
{
	struct app app;
	memset(&app, 0, sizeof(app));
	int parsed = parse_serve_options(argc, argv, &app.config);
	if (parsed != 0)
		return parsed > 0 ? 0 : 2;

	/* Block the shutdown signals in every thread; the main thread waits for them below. */
	sigset_t shutdown_signals;
	sigemptyset(&shutdown_signals);
	sigaddset(&shutdown_signals, SIGTERM);
	sigaddset(&shutdown_signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &shutdown_signals, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (local_time_init() != LOCAL_TIME_OK) {
		log_error("cannot prepare local-time conversion (TZ)");
		return 1;
	}
	/* Blocks of 4 MiB and more (argon2id's 19 MiB per password or secret check above all) are
	 * mapped for each use and unmapped when freed: left to itself, glibc raises its mmap threshold
	 * after the first such free, and the server keeps tens of MiB it no longer uses. Fixing that
	 * threshold also fixes the trim threshold, whose 128 KiB default would make malloc hand memory
	 * back and fault it in again all the time (libpq's buffers: PostgreSQL at a third of its
	 * speed), so it is set well above the smaller blocks' churn. */
	if (mallopt(M_MMAP_THRESHOLD, LARGE_BLOCK_BYTES) != 1 || mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES) != 1)
		log_warn("cannot set malloc's thresholds: memory freed by password checks may stay held");
	if (log_writer_start() != 0)
		log_warn("cannot start the log writer thread: log lines are written one by one");
	log_info("time-zone data: system tz database %s", local_time_zone_data_version());

	int status = 1;
	size_t route_count = 0;
	struct route *routes = NULL;
	struct http_server *server = NULL;
	struct metrics_listener *metrics_listener = NULL;
	app.store = store_open(app.config.database_url, app.config.threads + 4, STORE_USER_SERVER); /* + worker, flusher, reader, spare */
	if (app.store == NULL)
		goto done;
	if (password_gate_configure(app.config.password_concurrency, app.config.password_wait_ms) != 0) {
		log_error("cannot set up the argon2 gate (condition variable)");
		goto done;
	}
	app.limits = rate_limits_new(&app.config);
	app.password_checks = password_checks_start(app.config.password_concurrency, app.config.password_wait_ms);
	if (app.limits == NULL || app.password_checks == NULL)
		goto done;
	app.bus = store_bus_new(app.store);
	if (app.bus == NULL)
		goto done;
	app.tokens = token_service_new(app.store, app.bus, app.config.issuer, "camfleet", app.config.token_ttl_seconds,
				       app.config.signing_key_file);
	if (app.tokens == NULL)
		goto done;
	routes = api_routes_build(&route_count);
	if (routes == NULL)
		goto done;
	app.metrics = http_metrics_new(route_count);
	if (app.metrics == NULL)
		goto done;
	app.worker = async_worker_start(&app);
	if (app.worker == NULL)
		goto done;
	app.hub = device_hub_new(&app);
	if (app.hub == NULL)
		goto done;
	if (app.store->capabilities.reads_are_remote && (app.camera_reads = camera_read_batch_start(app.store)) == NULL)
		goto done;
	server = http_server_start(&app, routes, route_count);
	if (server == NULL)
		goto done;
	if (app.config.metrics_listen && (metrics_listener = metrics_listener_start(&app, api_metrics_text)) == NULL)
		goto done;
	char shown_url[sizeof(app.config.database_url)];
	store_url_redacted(app.config.database_url, shown_url, sizeof(shown_url));
	log_info("camfleet listening on %s:%u (database %s, %u threads)", app.config.listen_host,
		 app.config.listen_port, shown_url, app.config.threads);
	log_info("public URL %s", app.config.public_url);

	int received = 0;
	sigwait(&shutdown_signals, &received);
	log_info("received %s: draining requests in flight", received == SIGTERM ? "SIGTERM" : "SIGINT");
	/* New connections stop first; then every request waiting in the device hub is answered (it
	 * holds suspended requests that would otherwise outlive the drain); then the drain. */
	http_server_quiesce(server);
	metrics_listener_stop(metrics_listener);
	metrics_listener = NULL;
	device_hub_quiesce(app.hub);
	camera_read_batch_close(app.camera_reads);
	password_checks_close(app.password_checks);
	http_server_stop(server, 10);
	server = NULL;
	status = 0;
done:
	metrics_listener_stop(metrics_listener);
	http_server_stop(server, 0);
	camera_read_batch_stop(app.camera_reads);
	device_hub_free(app.hub);
	async_worker_stop(app.worker);
	http_metrics_free(app.metrics);
	free(routes);
	token_service_free(app.tokens);
	password_checks_stop(app.password_checks);
	rate_limits_free(app.limits);
	store_bus_free(app.bus);
	store_close(app.store);
	if (status == 0)
		log_info("camfleet stopped");
	log_writer_stop();
	return status;
}
