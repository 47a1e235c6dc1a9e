/* The HTTP server: libmicrohttpd with epoll and a pool of worker threads, limits on body size,
 * connections and slow clients, routing, authentication, access log and metrics. */
#ifndef CAMFLEET_HTTP_SERVER_H
#define CAMFLEET_HTTP_SERVER_H

#include "app.h"
#include "http/router.h"

struct http_server;

/* Starts serving routes on the app's configured address; NULL (logged) on failure. */
struct http_server *http_server_start(struct app *app, struct route *routes, size_t route_count);
/* Stops accepting new connections; requests in flight go on. */
void http_server_quiesce(struct http_server *server);
/* Stops accepting new connections (if not yet), waits up to grace_seconds for requests in
 * flight, then stops the workers and frees the server. Suspended requests must have been
 * resumed by their owners before the grace period ends. */
void http_server_stop(struct http_server *server, unsigned grace_seconds);

#endif
