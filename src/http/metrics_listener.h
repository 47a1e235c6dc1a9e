/* The optional second listener (--metrics-listen HOST:PORT): GET /metrics without a token, for a
 * Prometheus that reaches only a private address; 404 for everything else. */
#ifndef CAMFLEET_HTTP_METRICS_LISTENER_H
#define CAMFLEET_HTTP_METRICS_LISTENER_H

#include <stddef.h>

#include "app.h"

struct metrics_listener;

/* Produces the exposition text (malloc'd, freed by the listener) and its length; NULL on failure. */
typedef char *(*metrics_text_fn)(struct app *app, size_t *length);

/* Listens on app->config.metrics_listen_host/port with one thread; NULL (logged) on failure. */
struct metrics_listener *metrics_listener_start(struct app *app, metrics_text_fn text);
/* Stops listening and frees the listener (NULL is ignored). */
void metrics_listener_stop(struct metrics_listener *listener);

#endif
