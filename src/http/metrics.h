/* Prometheus metrics of the HTTP server: requests by route, method and status, and a latency
 * histogram per route. Recording is lock-free (atomic counters). */
#ifndef CAMFLEET_HTTP_METRICS_H
#define CAMFLEET_HTTP_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "http/router.h"

struct http_metrics;

/* Creates counters for route_count routes (plus one slot for unmatched requests). */
struct http_metrics *http_metrics_new(size_t route_count);
void http_metrics_free(struct http_metrics *metrics);
/* Records one finished request; route NULL means no route matched. */
void http_metrics_record(struct http_metrics *metrics, const struct route *route, unsigned status,
                         uint64_t duration_ns);
/* Renders the Prometheus text exposition; extra (may be NULL) is appended verbatim.
 * Returns a malloc'd NUL-terminated string the caller frees, or NULL. */
char *http_metrics_render(struct http_metrics *metrics, const char *extra, size_t *length_out);

#endif
