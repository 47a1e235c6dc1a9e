/* `camfleet serve`: start-up of the store, token service, worker, device hub and HTTP server
 * with the configuration cli/serve_options.c reads, and an orderly shutdown on SIGTERM or SIGINT. */
#include <curl/curl.h>
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
#include "auth/secret_keys.h"
#include "auth/tokens.h"
#include "cli/cli.h"
#include "cli/serve_limits.h"
#include "cli/serve_options.h"
#include "device/hub.h"
#include "api/meta.h"
#include "api/fleet_metrics.h"
#include "http/metrics.h"
#include "http/metrics_listener.h"
#include "http/rate_limit.h"
#include "http/server.h"
#include "api/event_stream.h"
#include "jobs/async_worker.h"
#include "jobs/health_alerts.h"
#include "jobs/housekeeping.h"
#include "webhooks/sender.h"
#include "store/store.h"
#include "store/store_bus.h"
#include "util/log.h"
#include "util/zoneinfo.h"

#define LARGE_BLOCK_BYTES    (4 * 1024 * 1024)
#define TRIM_THRESHOLD_BYTES (16 * 1024 * 1024)

int cli_serve(int argc, char **argv)
{
	struct app app;
	memset(&app, 0, sizeof(app));
	int parsed = serve_options_parse(argc, argv, &app.config);
	if (parsed != 0)
		return parsed > 0 ? 0 : 2;
	if (serve_limits_apply(&app.config) != 0)
		return 2;

	/* Block the shutdown signals in every thread; the main thread waits for them below. */
	sigset_t shutdown_signals;
	sigemptyset(&shutdown_signals);
	sigaddset(&shutdown_signals, SIGTERM);
	sigaddset(&shutdown_signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &shutdown_signals, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (zoneinfo_init() != ZONEINFO_OK) {
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
	log_info("time-zone data: system tz database %s", zoneinfo_data_version());

	int status = 1;
	size_t route_count = 0;
	struct route *routes = NULL;
	struct http_server *server = NULL;
	struct metrics_listener *metrics_listener = NULL;
	bool curl_ready = false;
	app.store = store_open(app.config.database_url, serve_database_connections(&app.config), STORE_USER_SERVER);
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
	app.secret_keys = secret_keys_from_store(app.store);
	if (app.secret_keys == NULL)
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
	app.fleet_metrics = fleet_metrics_new();
	if (app.metrics == NULL || app.fleet_metrics == NULL)
		goto done;
	app.worker = async_worker_start(&app);
	if (app.worker == NULL)
		goto done;
	app.housekeeping = housekeeping_start(&app);
	if (app.housekeeping == NULL)
		goto done;
	struct webhook_sender_settings webhook_settings = {
	    .schedule = app.config.webhook_retry_schedule,
	    .disable_after_ms = (int64_t)app.config.webhook_disable_after * 1000,
	    .concurrency = app.config.webhook_concurrency,
	    .per_webhook = app.config.webhook_concurrency_per_webhook,
	    .allow_private = app.config.allow_private_webhooks,
	    .timeout_ms = 10000,
	};
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_error("cannot initialise libcurl");
		goto done;
	}
	curl_ready = true;
	app.webhooks = webhook_sender_start(app.store, &webhook_settings);
	if (app.webhooks == NULL)
		goto done;
	app.health_alerts = health_alerts_start(&app);
	if (app.health_alerts == NULL)
		goto done;
	app.event_streams = event_stream_hub_start(&app);
	if (app.event_streams == NULL)
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
	log_info("camfleet listening on %s:%u (database %s, %u threads, at most %u connections, header timeout %u s)",
	         app.config.listen_host, app.config.listen_port, shown_url, app.config.threads,
	         app.config.max_connections, app.config.header_timeout);
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
	event_stream_hub_quiesce(app.event_streams);
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
	event_stream_hub_free(app.event_streams);
	health_alerts_stop(app.health_alerts);
	housekeeping_stop(app.housekeeping);
	webhook_sender_stop(app.webhooks);
	if (curl_ready)
		curl_global_cleanup();
	async_worker_stop(app.worker);
	http_metrics_free(app.metrics);
	fleet_metrics_free(app.fleet_metrics);
	free(routes);
	token_service_free(app.tokens);
	password_checks_stop(app.password_checks);
	rate_limits_free(app.limits);
	store_bus_free(app.bus);
	secret_keys_free(app.secret_keys);
	store_close(app.store);
	if (status == 0)
		log_info("camfleet stopped");
	log_writer_stop();
	return status;
}
