/* The fleet's families of GET /metrics: cameras by state and online (optionally by
 * organisation), asynchronous requests by kind and status — aggregates of the database, kept
 * FLEET_COUNTS_MAX_AGE_MS so that scrapes cost at most one pair of aggregate statements per
 * period, whatever the fleet's size — frame requests by result and heartbeats (this node's
 * counters) and the build's version and commit. */
#ifndef CAMFLEET_API_FLEET_METRICS_H
#define CAMFLEET_API_FLEET_METRICS_H

#include "util/text_buffer.h"

#define FLEET_COUNTS_MAX_AGE_MS 5000

struct app;
struct fleet_metrics;

/* The cache of the database's counts; NULL when out of memory. Free with fleet_metrics_free(). */
struct fleet_metrics *fleet_metrics_new(void);
void fleet_metrics_free(struct fleet_metrics *metrics);
/* Appends the fleet's families to out; counts the database cannot give now are left out (logged). */
void fleet_metrics_render(struct fleet_metrics *metrics, struct app *app, struct text_buffer *out);

#endif
