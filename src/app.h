/* The application context shared by every request: configuration and long-lived services.
 * Created once by `camfleet serve`; handlers reach it through their request. */
#ifndef CAMFLEET_APP_H
#define CAMFLEET_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct token_service;
struct http_metrics;
struct async_worker;
struct device_hub;

struct app_config {
	char listen_host[256];
	unsigned listen_port;
	char database_url[1024];
	char issuer[256];
	unsigned token_ttl_seconds;
	unsigned threads;            /* libmicrohttpd worker threads (thread pool size) */
	size_t max_body_bytes;       /* request bodies above this get 413 */
	size_t max_upload_bytes;     /* the same for routes that take uploads (camera frames) */
	unsigned max_connections;    /* concurrent connections accepted */
	unsigned connection_timeout; /* seconds an idle or slow connection is kept */
	unsigned frame_max_age;      /* seconds a stored frame counts as fresh */
	unsigned online_window;      /* seconds after the last heartbeat a camera is online */
	unsigned frame_wait;         /* seconds a frame request waits for the camera's upload */
	/* The edge: what the server shows of itself and who may reach it (README "Security"). */
	char public_url[512];                 /* base of every absolute URL handed out; no trailing '/' */
	unsigned max_connections_per_address; /* 0: no limit per client address */
	char metrics_listen_host[256];        /* GET /metrics without a token; "" and port 0: off */
	unsigned metrics_listen_port;
	bool metrics_listen;
};

struct camera_read_batch;

struct app {
	struct app_config config;
	struct store *store;
	struct token_service *tokens;
	struct http_metrics *metrics;
	struct async_worker *worker;
	struct device_hub *hub; /* the device link's waits and caches (src/device/) */
	struct camera_read_batch *camera_reads; /* batched GET /cameras/{id} reads; NULL: read directly */
};

#endif
