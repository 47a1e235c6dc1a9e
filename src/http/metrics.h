/* Prometheus metrics of the HTTP server: requests by route, method and status, a latency
 * histogram per route, and a histogram of how long each long-poll route (ROUTE_LONG_POLL) held
 * its requests. Recording is lock-free (atomic counters). */
#ifndef CAMFLEET_HTTP_METRICS_H
#define CAMFLEET_HTTP_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "http/router.h"
#include "util/text_buffer.h"

struct http_metrics;

/* Creates counters for route_count routes (plus one slot for unmatched requests). */
struct http_metrics *http_metrics_new(size_t route_count);
void http_metrics_free(struct http_metrics *metrics);
/* Records one finished request; route NULL means no route matched. */
void http_metrics_record(struct http_metrics *metrics, const struct route *route, unsigned status,
                         uint64_t duration_ns);
/* Requests of route method + pattern answered with a status from status_min to status_max, so far. */
uint64_t http_metrics_answered(struct http_metrics *metrics, const char *method, const char *pattern,
                               unsigned status_min, unsigned status_max);
/* Appends the Prometheus text exposition of these families to b. */
void http_metrics_render(struct http_metrics *metrics, struct text_buffer *b);

#endif
