/* The table of `camfleet serve`'s options and the three loops over it: defaults and environment,
 * getopt_long, --help. Adding an option is adding a row (and its field to struct app_config). */
#include "cli/serve_options.h"

#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "http/public_url.h"
#include "util/log.h"

enum option_kind {
	OPTION_TEXT,           /* copied into a char array of config; refused when it does not fit */
	OPTION_UNSIGNED,       /* a whole number from min to max, into an unsigned */
	OPTION_SIZE,           /* a whole number from min to max, into a size_t */
	OPTION_LISTEN,         /* HOST:PORT into listen_host and listen_port */
	OPTION_METRICS_LISTEN, /* HOST:PORT into metrics_listen_host and _port; turns that listener on */
	OPTION_PUBLIC_URL,     /* checked and normalised into public_url (http/public_url.h) */
	OPTION_LOG_LEVEL,      /* debug, info, warn or error; set at once (util/log.h) */
	OPTION_FLAG,           /* a bool of config: true when given (no argument); "true"/"false" from the env */
	OPTION_RETRY_SCHEDULE, /* "5,300,..." into webhook_retry_schedule (domain/webhook.h) */
};

struct serve_option {
	const char *name;     /* the long option, without "--" */
	const char *argument; /* what --help shows after it */
	enum option_kind kind;
	size_t offset;             /* OPTION_TEXT, _UNSIGNED, _SIZE: the field of struct app_config */
	size_t size;               /* OPTION_TEXT: that field's size */
	unsigned long min, max;    /* OPTION_UNSIGNED, _SIZE: the range accepted */
	const char *env;           /* the environment variable read before the options; NULL: none */
	const char *default_value; /* applied before the environment, shown in --help; NULL: none */
	const char *default_shown; /* shown in --help instead, for a default set elsewhere */
	const char *help;
	const char *heading; /* a line printed before this option in --help; NULL: none */
};

#define CONFIG_FIELD(field) ((struct app_config *)0)->field
#define TEXT_FIELD(field)                                                                                              \
	.kind = OPTION_TEXT, .offset = offsetof(struct app_config, field), .size = sizeof(CONFIG_FIELD(field))
/* The kind follows the field's type: a field of another type does not compile. */
// clang-format off
#define NUMBER_FIELD(field, low, high)                                                                                 \
	.kind = _Generic(CONFIG_FIELD(field), unsigned: OPTION_UNSIGNED, size_t: OPTION_SIZE),                          \
	.offset = offsetof(struct app_config, field), .min = (low), .max = (high)
// clang-format on
#define FLAG_FIELD(field)                                                                                              \
	.kind = _Generic(CONFIG_FIELD(field), bool : OPTION_FLAG), .offset = offsetof(struct app_config, field)

static const struct serve_option serve_options[] = {
    {.name = "listen",
     .argument = "HOST:PORT",
     .kind = OPTION_LISTEN,
     .env = "CAMFLEET_LISTEN",
     .default_value = "127.0.0.1:8080",
     .help = "address to listen on"},
    {.name = "database",
     .argument = "URL",
     TEXT_FIELD(database_url),
     .env = "CAMFLEET_DATABASE",
     .default_value = CLI_DEFAULT_DATABASE,
     .help = "sqlite:PATH, or postgres://USER:PASSWORD@HOST:PORT/DB for nodes sharing one PostgreSQL"},
    {.name = "issuer",
     .argument = "TEXT",
     TEXT_FIELD(issuer),
     .env = "CAMFLEET_ISSUER",
     .default_value = "camfleet",
     .help = "token issuer (iss claim)"},
    {.name = "token-ttl",
     .argument = "SECONDS",
     NUMBER_FIELD(token_ttl_seconds, 1, 86400 * 7),
     .default_value = "3600",
     .help = "access-token lifetime"},
    {.name = "refresh-token-ttl",
     .argument = "SECONDS",
     NUMBER_FIELD(refresh_token_ttl_seconds, 0, 86400 * 366),
     .default_value = "2592000",
     .help = "lifetime of each refresh token of the password grant (30 days; every exchange hands out a new one); "
             "0: none issued"},
    {.name = "signing-key-file",
     .argument = "PATH",
     TEXT_FIELD(signing_key_file),
     .env = "CAMFLEET_SIGNING_KEY_FILE",
     .help = "sign tokens with this PEM EC P-256 private key (mode 0600 or stricter) instead of the database's "
             "keys"},
    {.name = "threads",
     .argument = "N",
     NUMBER_FIELD(threads, 1, 256),
     .default_shown = "one per CPU",
     .help = "HTTP worker threads"},
    {.name = "write-threads",
     .argument = "N",
     NUMBER_FIELD(write_threads, 1, 256),
     .default_value = "8",
     .help = "threads that run the writes (POST, PUT, PATCH, DELETE), so that a write waiting for the database "
             "never holds an HTTP worker thread"},
    {.name = "max-body",
     .argument = "BYTES",
     NUMBER_FIELD(max_body_bytes, 1024, 64 * 1024 * 1024),
     .default_value = "65536",
     .help = "largest request body accepted, else 413"},
    {.name = "max-upload",
     .argument = "BYTES",
     NUMBER_FIELD(max_upload_bytes, 1024, 64 * 1024 * 1024),
     .default_value = "2097152",
     .help = "largest camera frame upload or register-camera batch accepted"},
    {.name = "max-connections",
     .argument = "N",
     NUMBER_FIELD(max_connections, 1, 1000000),
     .default_shown = "derived from the open-file limit",
     .help = "concurrent connections accepted; at most what the open-file limit (raised to its hard limit at "
             "start) holds beside the database, webhook and listener files"},
    {.name = "connection-timeout",
     .argument = "S",
     NUMBER_FIELD(connection_timeout, 1, 3600),
     .default_value = "30",
     .help = "idle/slow connection timeout in seconds; also the time a kept-alive connection has for its next "
             "request head"},
    {.name = "header-timeout",
     .argument = "S",
     NUMBER_FIELD(header_timeout, 1, 3600),
     .default_value = "10",
     .help = "a new connection that has not sent a complete request head this many seconds after it was "
             "accepted is closed"},
    {.name = "frame-max-age",
     .argument = "S",
     NUMBER_FIELD(frame_max_age, 0, 3600),
     .default_value = "5",
     .help = "seconds a stored frame counts as fresh"},
    {.name = "frame-wait",
     .argument = "S",
     NUMBER_FIELD(frame_wait, 0, 120),
     .default_value = "5",
     .help = "seconds a frame request waits for the camera's upload"},
    {.name = "online-window",
     .argument = "S",
     NUMBER_FIELD(online_window, 1, 86400),
     .default_value = "90",
     .help = "seconds after a heartbeat a camera counts as online"},
    {.name = "offline-alert-after",
     .argument = "SECONDS",
     NUMBER_FIELD(offline_alert_after, 1, 86400 * 7),
     .env = "CAMFLEET_OFFLINE_ALERT_AFTER",
     .default_value = "300",
     .help = "seconds a running camera is offline before camera.offline, during its site's opening hours"},
    {.name = "offline-reminder-after",
     .argument = "SECONDS",
     NUMBER_FIELD(offline_reminder_after, 0, 86400 * 7),
     .env = "CAMFLEET_OFFLINE_REMINDER_AFTER",
     .default_value = "0",
     .default_shown = "0: no reminders",
     .help = "repeat camera.offline (\"reminder\": true) this often while the camera stays offline during opening "
             "hours"},
    {.name = "event-retention-days",
     .argument = "DAYS",
     NUMBER_FIELD(event_retention_days, 1, 36500),
     .env = "CAMFLEET_EVENT_RETENTION_DAYS",
     .default_value = "90",
     .help = "days events are kept (GET /events); older ones are deleted in the background"},
    {.name = "upload-metrics-retention-days",
     .argument = "DAYS",
     NUMBER_FIELD(upload_metrics_retention_days, 3, 36500),
     .env = "CAMFLEET_UPLOAD_METRICS_RETENTION_DAYS",
     .default_value = "400",
     .help = "days the hourly video upload totals are kept (video-upload-metrics beyond 48 hours); older ones are "
             "deleted in the background"},
    {.name = "async-request-retention-days",
     .argument = "DAYS",
     NUMBER_FIELD(async_request_retention_days, 1, 36500),
     .env = "CAMFLEET_ASYNC_REQUEST_RETENTION_DAYS",
     .default_value = "30",
     .help = "days finished register-camera and put-camera-state requests (and batches) can be read back; older "
             "ones are deleted in the background"},
    {.name = "log-level",
     .argument = "LEVEL",
     .kind = OPTION_LOG_LEVEL,
     .default_value = "info",
     .help = "debug, info, warn or error"},
    {.name = "log-device-requests",
     .argument = NULL,
     FLAG_FIELD(log_device_requests),
     .env = "CAMFLEET_LOG_DEVICE_REQUESTS",
     .help = "log the cameras' requests (heartbeats, long-polls, uploads) at info; by default at debug"},
    {.name = "metrics-per-organisation",
     .argument = NULL,
     FLAG_FIELD(metrics_per_organisation),
     .env = "CAMFLEET_METRICS_PER_ORGANISATION",
     .help = "label camfleet_cameras of /metrics with each organisation (one series per organisation, state "
             "and online)"},
    {.name = "public-url",
     .argument = "URL",
     .kind = OPTION_PUBLIC_URL,
     .env = "CAMFLEET_PUBLIC_URL",
     .default_shown = "http:// + the listen address",
     .help = "base of every absolute URL handed out: http(s)://HOST[:PORT][/PATH]"},
    {.name = "max-connections-per-address",
     .argument = "N",
     NUMBER_FIELD(max_connections_per_address, 0, 1000000),
     .default_value = "0",
     .default_shown = "0: no limit",
     .help = "connections at once from one client address; set it only when clients connect directly, not "
             "behind a load balancer"},
    {.name = "metrics-listen",
     .argument = "HOST:PORT",
     .kind = OPTION_METRICS_LISTEN,
     .default_shown = "off",
     .help = "also serve GET /metrics without a token on this address; on the main address /metrics needs an "
             "operator token"},
    {.name = "rate-limit-client",
     .argument = "N",
     NUMBER_FIELD(rate_limit_client, 0, 100000000),
     .default_value = "20000",
     .help = "API requests per second per client, burst N",
     .heading = "rate limits of this node (README \"Rate limits\"; 0 turns a limit off):"},
    {.name = "rate-limit-organisation",
     .argument = "N",
     NUMBER_FIELD(rate_limit_organisation, 0, 100000000),
     .default_value = "200000",
     .help = "the same per organisation"},
    {.name = "login-failures-per-user",
     .argument = "N",
     NUMBER_FIELD(login_failures_per_user, 0, 1000000),
     .default_value = "5",
     .help = "failed logins per username or client id allowed in 15 min before lockouts of 1 s doubling to "
             "15 min"},
    {.name = "login-failures-per-address",
     .argument = "N",
     NUMBER_FIELD(login_failures_per_address, 0, 1000000),
     .default_value = "30",
     .help = "the same per source address"},
    {.name = "password-concurrency",
     .argument = "N",
     NUMBER_FIELD(password_concurrency, 1, 1024),
     .default_shown = "one per CPU",
     .help = "argon2 computations at once"},
    {.name = "password-wait",
     .argument = "MS",
     NUMBER_FIELD(password_wait_ms, 0, 60000),
     .default_value = "2000",
     .help = "wait for an argon2 turn before 503"},
    {.name = "webhook-retry-schedule",
     .argument = "S,S,...",
     .kind = OPTION_RETRY_SCHEDULE,
     .env = "CAMFLEET_WEBHOOK_RETRY_SCHEDULE",
     .default_value = "5,300,1800,7200,18000,36000,36000",
     .help = "seconds to wait after each failed delivery attempt (each +-10%); a delivery that fails once more "
             "has failed",
     .heading = "webhooks (README \"Webhooks\"):"},
    {.name = "webhook-disable-after",
     .argument = "S",
     NUMBER_FIELD(webhook_disable_after, 1, 365 * 86400),
     .default_value = "432000",
     .help = "a webhook whose deliveries have all failed for this long is disabled (5 days)"},
    {.name = "webhook-concurrency",
     .argument = "N",
     NUMBER_FIELD(webhook_concurrency, 1, 4096),
     .default_value = "256",
     .help = "deliveries in flight at once from this node"},
    {.name = "webhook-concurrency-per-webhook",
     .argument = "N",
     NUMBER_FIELD(webhook_concurrency_per_webhook, 1, 4096),
     .default_value = "64",
     .help = "deliveries in flight at once to one webhook (all nodes together)"},
    {.name = "allow-private-webhooks",
     .argument = NULL,
     FLAG_FIELD(allow_private_webhooks),
     .env = "CAMFLEET_ALLOW_PRIVATE_WEBHOOKS",
     .help = "let webhooks reach loopback, private, link-local and metadata addresses (refused by default)"},
};

#define SERVE_OPTION_COUNT (sizeof(serve_options) / sizeof(serve_options[0]))
#define OPTION_CODE_BASE   256 /* getopt_long's code of serve_options[i] is OPTION_CODE_BASE + i */
#define FLAG_SIZE          64  /* "--" + the longest name */
#define HELP_INDENT        28  /* the column where help text starts */
#define HELP_WIDTH         100 /* the column help text wraps before */

/* ---- reading one value ---- */

static int parse_unsigned(const char *text, const char *flag, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end = NULL;
	errno = 0;
	unsigned long value = strtoul(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || value < min || value > max) {
		fprintf(stderr, "camfleet serve: %s must be a whole number from %lu to %lu, got '%s'\n", flag, min, max,
		        text);
		return -1;
	}
	*out = value;
	return 0;
}

/* HOST:PORT (an IPv6 host in brackets) into host_out (host_size bytes) and *port_out. */
static int parse_host_port(const char *text, const char *flag, char *host_out, size_t host_size, unsigned *port_out)
{
	const char *colon = strrchr(text, ':');
	if (colon == NULL) {
		fprintf(stderr, "camfleet serve: %s must be HOST:PORT, got '%s'\n", flag, text);
		return -1;
	}
	size_t host_length = (size_t)(colon - text);
	const char *host = text;
	if (host_length >= 2 && host[0] == '[' && host[host_length - 1] == ']') {
		host++;
		host_length -= 2;
	}
	if (host_length >= host_size) {
		fprintf(stderr, "camfleet serve: host name too long in %s\n", flag);
		return -1;
	}
	memcpy(host_out, host, host_length);
	host_out[host_length] = '\0';
	unsigned long port;
	char what[FLAG_SIZE + 16];
	snprintf(what, sizeof(what), "the port of %s", flag);
	if (parse_unsigned(colon + 1, what, 0, 65535, &port) != 0)
		return -1;
	*port_out = (unsigned)port;
	return 0;
}

static int copy_text(const char *text, const char *flag, char *field, size_t field_size)
{
	size_t length = strlen(text);
	if (length >= field_size) {
		fprintf(stderr, "camfleet serve: %s is too long (at most %zu bytes)\n", flag, field_size - 1);
		return -1;
	}
	memcpy(field, text, length + 1);
	return 0;
}

static int parse_public_url(const char *text, struct app_config *config)
{
	const char *error = NULL;
	if (public_url_normalize(text, config->public_url, sizeof(config->public_url), &error) != 0) {
		fprintf(stderr, "camfleet serve: --public-url '%s' is not usable: %s\n", text, error);
		return -1;
	}
	return 0;
}

static int set_log_level(const char *text)
{
	static const struct {
		const char *name;
		enum log_level level;
	} levels[] = {{"debug", LOG_DEBUG}, {"info", LOG_INFO}, {"warn", LOG_WARN}, {"error", LOG_ERROR}};
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		if (strcmp(text, levels[i].name) == 0) {
			log_set_level(levels[i].level);
			return 0;
		}
	}
	fprintf(stderr, "camfleet serve: --log-level must be debug, info, warn or error\n");
	return -1;
}

/* Sets what option says from text (an option's argument, a variable's value or the default). */
static int apply(const struct serve_option *option, const char *text, struct app_config *config)
{
	char flag[FLAG_SIZE];
	snprintf(flag, sizeof(flag), "--%s", option->name);
	void *field = (char *)config + option->offset;
	unsigned long number;
	switch (option->kind) {
	case OPTION_TEXT: return copy_text(text, flag, field, option->size);
	case OPTION_UNSIGNED:
	case OPTION_SIZE:
		if (parse_unsigned(text, flag, option->min, option->max, &number) != 0)
			return -1;
		if (option->kind == OPTION_UNSIGNED)
			*(unsigned *)field = (unsigned)number;
		else
			*(size_t *)field = number;
		return 0;
	case OPTION_LISTEN:
		return parse_host_port(text, flag, config->listen_host, sizeof(config->listen_host),
		                       &config->listen_port);
	case OPTION_METRICS_LISTEN:
		if (parse_host_port(text, flag, config->metrics_listen_host, sizeof(config->metrics_listen_host),
		                    &config->metrics_listen_port) != 0)
			return -1;
		config->metrics_listen = true;
		return 0;
	case OPTION_PUBLIC_URL: return parse_public_url(text, config);
	case OPTION_LOG_LEVEL: return set_log_level(text);
	case OPTION_FLAG:
		if (text == NULL || strcmp(text, "true") == 0 || strcmp(text, "1") == 0)
			*(bool *)field = true;
		else if (strcmp(text, "false") == 0 || strcmp(text, "0") == 0)
			*(bool *)field = false;
		else
			return fprintf(stderr, "camfleet serve: %s must be true or false, got '%s'\n", flag, text), -1;
		return 0;
	case OPTION_RETRY_SCHEDULE:
		if (!retry_schedule_parse(text, &config->webhook_retry_schedule)) {
			fprintf(
			    stderr,
			    "camfleet serve: %s must be 1 to %d comma-separated whole seconds from 1 to %d, got '%s'\n",
			    flag, RETRY_SCHEDULE_MAX_STEPS, RETRY_STEP_MAX_SECONDS, text);
			return -1;
		}
		return 0;
	}
	return -1;
}

/* ---- the three loops ---- */

/* The defaults of the table, and those that depend on the machine. */
static int apply_defaults(struct app_config *config)
{
	memset(config, 0, sizeof(*config));
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	config->threads = cpus > 0 ? (unsigned)cpus : 2;
	config->password_concurrency = config->threads;
	for (size_t i = 0; i < SERVE_OPTION_COUNT; i++)
		if (serve_options[i].default_value != NULL &&
		    apply(&serve_options[i], serve_options[i].default_value, config) != 0)
			return -1;
	return 0;
}

static int apply_environment(struct app_config *config)
{
	for (size_t i = 0; i < SERVE_OPTION_COUNT; i++) {
		const char *value = serve_options[i].env != NULL ? getenv(serve_options[i].env) : NULL;
		if (value != NULL && apply(&serve_options[i], value, config) != 0)
			return -1;
	}
	return 0;
}

/* 0 when every option was applied, 1 after --help, -1 on an error. */
static int apply_arguments(int argc, char **argv, struct app_config *config)
{
	struct option long_options[SERVE_OPTION_COUNT + 2];
	for (size_t i = 0; i < SERVE_OPTION_COUNT; i++)
		long_options[i] = (struct option){
		    serve_options[i].name, serve_options[i].kind == OPTION_FLAG ? no_argument : required_argument, NULL,
		    OPTION_CODE_BASE + (int)i};
	long_options[SERVE_OPTION_COUNT] = (struct option){"help", no_argument, NULL, 'h'};
	long_options[SERVE_OPTION_COUNT + 1] = (struct option){NULL, 0, NULL, 0};
	optind = 1;
	int code;
	while ((code = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
		if (code == 'h') {
			serve_options_usage(stdout);
			return 1;
		}
		if (code < OPTION_CODE_BASE || code >= OPTION_CODE_BASE + (int)SERVE_OPTION_COUNT) {
			serve_options_usage(stderr);
			return -1;
		}
		if (apply(&serve_options[code - OPTION_CODE_BASE], optarg, config) != 0)
			return -1;
	}
	if (optind < argc) {
		fprintf(stderr, "camfleet serve: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return 0;
}

int serve_options_parse(int argc, char **argv, struct app_config *config)
{
	if (apply_defaults(config) != 0 || apply_environment(config) != 0)
		return -1;
	int parsed = apply_arguments(argc, argv, config);
	if (parsed != 0)
		return parsed;
	if (config->public_url[0] == '\0' &&
	    public_url_from_listen(config->listen_host, config->listen_port, config->public_url,
	                           sizeof(config->public_url)) != 0) {
		fprintf(stderr, "camfleet serve: the listen address is too long for a public URL; give --public-url\n");
		return -1;
	}
	return 0;
}

/* ---- --help ---- */

/* Prints text word by word from *column on, wrapping before HELP_WIDTH onto lines indented to
 * HELP_INDENT; *column follows. */
static void print_wrapped(FILE *out, const char *text, size_t *column)
{
	while (*text != '\0') {
		size_t word = strcspn(text, " ");
		if (*column > HELP_INDENT && *column + 1 + word > HELP_WIDTH) {
			fprintf(out, "\n%*s", HELP_INDENT, "");
			*column = HELP_INDENT;
		} else if (*column > HELP_INDENT) {
			fputc(' ', out);
			(*column)++;
		}
		fprintf(out, "%.*s", (int)word, text);
		*column += word;
		text += word;
		text += strspn(text, " ");
	}
}

static void print_option(FILE *out, const struct serve_option *option)
{
	if (option->heading != NULL)
		fprintf(out, "%s\n", option->heading);
	int shown = fprintf(out, "  --%s%s%s", option->name, option->argument != NULL ? " " : "",
	                    option->argument != NULL ? option->argument : "");
	if (shown < 0)
		return;
	size_t column = (size_t)shown;
	if (column + 2 > HELP_INDENT) {
		fprintf(out, "\n%*s", HELP_INDENT, "");
	} else {
		fprintf(out, "%*s", (int)(HELP_INDENT - column), "");
	}
	column = HELP_INDENT;
	print_wrapped(out, option->help, &column);
	const char *shown_default = option->default_shown != NULL ? option->default_shown : option->default_value;
	char note[160] = "";
	if (option->env != NULL && shown_default != NULL)
		snprintf(note, sizeof(note), "(env %s; default %s)", option->env, shown_default);
	else if (option->env != NULL)
		snprintf(note, sizeof(note), "(env %s)", option->env);
	else if (shown_default != NULL)
		snprintf(note, sizeof(note), "(default %s)", shown_default);
	if (note[0] != '\0' && column + 1 + strlen(note) > HELP_WIDTH) { /* the note on one line */
		fprintf(out, "\n%*s", HELP_INDENT, "");
		column = HELP_INDENT;
	}
	print_wrapped(out, note, &column);
	fputc('\n', out);
}

void serve_options_usage(FILE *out)
{
	fputs("usage: camfleet serve [options]\n"
	      "\n"
	      "Runs the camfleet HTTP API until SIGTERM or SIGINT (then drains requests in flight and exits 0).\n"
	      "\n"
	      "options:\n",
	      out);
	for (size_t i = 0; i < SERVE_OPTION_COUNT; i++)
		print_option(out, &serve_options[i]);
	fprintf(out, "%-*s%s\n", HELP_INDENT, "  -h, --help", "show this help");
}
