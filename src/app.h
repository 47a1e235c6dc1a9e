/* The application context shared by every request: configuration and long-lived services.
 * Created once by `camfleet serve`; handlers reach it through their request. */
#ifndef CAMFLEET_APP_H
#define CAMFLEET_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/webhook.h"

struct store;
struct token_service;
struct http_metrics;
struct fleet_metrics;
struct async_worker;
struct housekeeping;
struct health_alerts;
struct event_stream_hub;
struct webhook_sender;
struct device_hub;
struct store_bus;

struct app_config {
	char listen_host[256];
	unsigned listen_port;
	char database_url[1024];
	char issuer[256];
	unsigned token_ttl_seconds;
	unsigned refresh_token_ttl_seconds; /* lifetime of a password grant's refresh token; 0: none issued */
	char signing_key_file[1024];        /* --signing-key-file: PEM key signing tokens; "": the database's keys */
	unsigned threads;                   /* libmicrohttpd worker threads (thread pool size) */
	unsigned write_threads;             /* threads running the writes' handlers (http/handler_pool.h) */
	size_t max_body_bytes;              /* request bodies above this get 413 */
	size_t max_upload_bytes;            /* the same for routes that take uploads (camera frames) */
	unsigned max_connections;           /* concurrent connections accepted (cli/serve_limits.c) */
	unsigned connection_timeout;        /* seconds an idle or slow connection is kept */
	unsigned header_timeout;            /* seconds a new connection has for its first request head */
	unsigned frame_max_age;             /* seconds a stored frame counts as fresh */
	unsigned online_window;             /* seconds after the last heartbeat a camera is online */
	unsigned offline_alert_after;       /* seconds offline before camera.offline (jobs/health_alerts.c) */
	unsigned offline_reminder_after;    /* seconds between camera.offline reminders; 0: none */
	unsigned event_retention_days;      /* events older than this are deleted (jobs/housekeeping.c) */
	unsigned upload_metrics_retention_days; /* hourly video upload buckets kept this long (the same) */
	unsigned async_request_retention_days;  /* finished asynchronous requests kept this long (the same) */
	unsigned frame_wait;                    /* seconds a frame request waits for the camera's upload */
	/* The edge: what the server shows of itself and who may reach it (README "Security"). */
	char public_url[512];                 /* base of every absolute URL handed out; no trailing '/' */
	unsigned max_connections_per_address; /* 0: no limit per client address */
	char metrics_listen_host[256];        /* GET /metrics without a token; "" and port 0: off */
	unsigned metrics_listen_port;
	bool metrics_listen;
	/* Rate limits of this node (src/http/rate_limit.c, README "Rate limits"); 0 turns one off. */
	unsigned rate_limit_client;          /* API requests per second (and burst) per client */
	unsigned rate_limit_organisation;    /* the same per organisation */
	unsigned login_failures_per_user;    /* free failed logins per username / client id per window */
	unsigned login_failures_per_address; /* free failed logins per source address per window */
	unsigned password_concurrency;       /* argon2 computations at once */
	unsigned password_wait_ms;           /* how long one waits for a turn before 503 */
	/* Webhook deliveries (webhooks/sender.c, README "Webhooks"). */
	struct retry_schedule webhook_retry_schedule;
	unsigned webhook_disable_after;           /* seconds of failing deliveries before a webhook is disabled */
	unsigned webhook_concurrency;             /* deliveries in flight from this node */
	unsigned webhook_concurrency_per_webhook; /* deliveries in flight to one webhook */
	bool allow_private_webhooks;              /* let webhooks reach private addresses */
	/* What the server reports about itself (http/access_log.c, api/fleet_metrics.c). */
	bool log_device_requests;      /* the cameras' requests logged at info, not debug */
	bool metrics_per_organisation; /* camfleet_cameras gets an organisation label */
};

struct camera_read_batch;
struct rate_limits;
struct password_checks;
struct secret_keys;

struct app {
	struct app_config config;
	struct store *store;
	struct store_bus *bus; /* the store's cross-node messages, routed by prefix (store/store_bus.h) */
	struct token_service *tokens;
	struct http_metrics *metrics;
	struct fleet_metrics *fleet_metrics; /* the fleet's families of /metrics (api/fleet_metrics.h) */
	struct async_worker *worker;
	struct housekeeping *housekeeping;       /* jobs/housekeeping.c */
	struct health_alerts *health_alerts;     /* jobs/health_alerts.c */
	struct event_stream_hub *event_streams;  /* api/event_stream.c: GET /events/stream */
	struct webhook_sender *webhooks;         /* webhooks/sender.c: delivers webhooks */
	struct device_hub *hub;                  /* the device link's waits and caches (src/device/) */
	struct camera_read_batch *camera_reads;  /* batched GET /cameras/{id} reads; NULL: read directly */
	struct rate_limits *limits;              /* this node's rate limits (http/rate_limit.h) */
	struct password_checks *password_checks; /* the token endpoint's argon2 checks (api/password_checks.h) */
	struct secret_keys *secret_keys;         /* keys of the generated secrets' hashes (auth/secret_keys.h) */
};

#endif
