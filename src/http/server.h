/* The HTTP server: libmicrohttpd with epoll and a pool of worker threads, limits on body size,
 * connections and slow clients, routing, authentication, access log and metrics. */
#ifndef CAMFLEET_HTTP_SERVER_H
#define CAMFLEET_HTTP_SERVER_H

#include "app.h"
#include "http/router.h"

#include <sys/socket.h>

struct http_server;

/* The socket address of host (empty: every address) and port, for listening; 0, or -1 (logged). */
int http_address_resolve(const char *host, unsigned port, struct sockaddr_storage *out, socklen_t *length)
    __attribute__((warn_unused_result));

/* Starts serving routes on the app's configured address; NULL (logged) on failure. */
struct http_server *http_server_start(struct app *app, struct route *routes, size_t route_count);
/* Stops accepting new connections (each is closed as soon as it is accepted); requests in flight
 * and open connections go on. */
void http_server_quiesce(struct http_server *server);
/* Stops accepting new connections (if not yet), waits up to grace_seconds for requests in
 * flight, then stops the workers and frees the server. Suspended requests must have been
 * resumed by their owners before the grace period ends. */
void http_server_stop(struct http_server *server, unsigned grace_seconds);

#endif
