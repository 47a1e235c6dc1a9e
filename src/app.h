/* The application context shared by every request: configuration and long-lived services.
 * Created once by `camfleet serve`; handlers reach it through their request. */
#ifndef CAMFLEET_APP_H
#define CAMFLEET_APP_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct token_service;
struct http_metrics;
struct async_worker;
struct device_hub;
struct store_bus;

struct app_config {
	char listen_host[256];
	unsigned listen_port;
	char database_url[1024];
	char issuer[256];
	unsigned token_ttl_seconds;
	char signing_key_file[1024]; /* --signing-key-file: PEM key signing tokens; "": the database's keys */
	unsigned threads;            /* libmicrohttpd worker threads (thread pool size) */
	size_t max_body_bytes;       /* request bodies above this get 413 */
	size_t max_upload_bytes;     /* the same for routes that take uploads (camera frames) */
	unsigned max_connections;    /* concurrent connections accepted */
	unsigned connection_timeout; /* seconds an idle or slow connection is kept */
	unsigned frame_max_age;      /* seconds a stored frame counts as fresh */
	unsigned online_window;      /* seconds after the last heartbeat a camera is online */
	unsigned frame_wait;         /* seconds a frame request waits for the camera's upload */
};

struct camera_read_batch;

struct app {
	struct app_config config;
	struct store *store;
	struct store_bus *bus; /* the store's cross-node messages, routed by prefix (store/store_bus.h) */
	struct token_service *tokens;
	struct http_metrics *metrics;
	struct async_worker *worker;
	struct device_hub *hub; /* the device link's waits and caches (src/device/) */
	struct camera_read_batch *camera_reads; /* batched GET /cameras/{id} reads; NULL: read directly */
};

#endif
