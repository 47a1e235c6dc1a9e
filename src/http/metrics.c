/* Counters behind GET /metrics. One block per route: a count per status code (100..599) and a
 * cumulative latency histogram with fixed buckets — the request-latency buckets, or for a
 * ROUTE_LONG_POLL route (a long-poll, a stream: it waits by design) the long-poll buckets, shown
 * as a family of its own so that the latency percentiles mean something. */
#include "http/metrics.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static const double request_bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
static const double long_poll_bounds[] = {0.1, 0.5, 1, 2.5, 5, 10, 20, 30, 45, 60, 120, 300, 900, 3600};
#define REQUEST_BUCKETS   (sizeof(request_bounds) / sizeof(request_bounds[0]))
#define LONG_POLL_BUCKETS (sizeof(long_poll_bounds) / sizeof(long_poll_bounds[0]))
#define BUCKETS_MAX       (REQUEST_BUCKETS > LONG_POLL_BUCKETS ? REQUEST_BUCKETS : LONG_POLL_BUCKETS)
#define STATUS_MIN        100
#define STATUS_SPAN       500

struct route_counters {
	atomic_uint_fast64_t by_status[STATUS_SPAN];
	atomic_uint_fast64_t buckets[BUCKETS_MAX]; /* non-cumulative; summed when rendered */
	atomic_uint_fast64_t count;
	atomic_uint_fast64_t sum_ns;
};

struct http_metrics {
	size_t route_count;
	struct route_counters *routes; /* route_count + 1: the last is "unmatched" */
};

struct http_metrics *http_metrics_new(size_t route_count)
{
	struct http_metrics *metrics = calloc(1, sizeof(*metrics));
	if (metrics == NULL)
		return NULL;
	metrics->route_count = route_count;
	metrics->routes = calloc(route_count + 1, sizeof(*metrics->routes));
	if (metrics->routes == NULL) {
		free(metrics);
		return NULL;
	}
	return metrics;
}

void http_metrics_free(struct http_metrics *metrics)
{
	if (metrics == NULL)
		return;
	free(metrics->routes);
	free(metrics);
}

static bool is_long_poll(const struct route *route)
{
	return route != NULL && (route->flags & ROUTE_LONG_POLL) != 0;
}

void http_metrics_record(struct http_metrics *metrics, const struct route *route, unsigned status, uint64_t duration_ns)
{
	size_t slot = route != NULL ? route->index : metrics->route_count;
	struct route_counters *counters = &metrics->routes[slot];
	if (status >= STATUS_MIN && status < STATUS_MIN + STATUS_SPAN)
		atomic_fetch_add_explicit(&counters->by_status[status - STATUS_MIN], 1, memory_order_relaxed);
	const double *bounds = is_long_poll(route) ? long_poll_bounds : request_bounds;
	size_t bucket_count = is_long_poll(route) ? LONG_POLL_BUCKETS : REQUEST_BUCKETS;
	double seconds = (double)duration_ns / 1e9;
	size_t bucket = 0;
	while (bucket < bucket_count && seconds > bounds[bucket])
		bucket++;
	if (bucket < bucket_count)
		atomic_fetch_add_explicit(&counters->buckets[bucket], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&counters->count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&counters->sum_ns, duration_ns, memory_order_relaxed);
}

uint64_t http_metrics_answered(struct http_metrics *metrics, const char *method, const char *pattern,
                               unsigned status_min, unsigned status_max)
{
	size_t count;
	const struct route *routes = router_routes(&count);
	uint64_t total = 0;
	for (size_t r = 0; r < count && r < metrics->route_count; r++) {
		if (strcmp(routes[r].method, method) != 0 || strcmp(routes[r].pattern, pattern) != 0)
			continue;
		for (unsigned s = status_min; s <= status_max && s < STATUS_MIN + STATUS_SPAN; s++)
			if (s >= STATUS_MIN)
				total += atomic_load_explicit(&metrics->routes[r].by_status[s - STATUS_MIN],
				                              memory_order_relaxed);
	}
	return total;
}

/* The histogram lines of one route (nothing when it answered nothing yet). */
static void render_histogram(struct text_buffer *b, const char *family, struct route_counters *c, const char *pattern,
                             const char *method, const double *bounds, size_t bucket_count)
{
	uint64_t total = atomic_load_explicit(&c->count, memory_order_relaxed);
	if (total == 0)
		return;
	uint64_t cumulative = 0;
	for (size_t i = 0; i < bucket_count; i++) {
		cumulative += atomic_load_explicit(&c->buckets[i], memory_order_relaxed);
		text_buffer_append(b, "%s_bucket{route=\"%s\",method=\"%s\",le=\"%g\"} %llu\n", family, pattern, method,
		                   bounds[i], (unsigned long long)cumulative);
	}
	text_buffer_append(b, "%s_bucket{route=\"%s\",method=\"%s\",le=\"+Inf\"} %llu\n", family, pattern, method,
	                   (unsigned long long)total);
	text_buffer_append(b, "%s_sum{route=\"%s\",method=\"%s\"} %.6f\n", family, pattern, method,
	                   (double)atomic_load_explicit(&c->sum_ns, memory_order_relaxed) / 1e9);
	text_buffer_append(b, "%s_count{route=\"%s\",method=\"%s\"} %llu\n", family, pattern, method,
	                   (unsigned long long)total);
}

/* Every route's histogram of one kind: long-poll routes or the others. */
static void render_histograms(struct text_buffer *b, struct http_metrics *metrics, bool long_polls)
{
	size_t count;
	const struct route *routes = router_routes(&count);
	const char *family =
	    long_polls ? "camfleet_http_long_poll_duration_seconds" : "camfleet_http_request_duration_seconds";
	if (long_polls)
		text_buffer_append(b,
		                   "# HELP %s Time a long-poll or stream was held open (device commands, event "
		                   "stream), by route.\n# TYPE %s histogram\n",
		                   family, family);
	else
		text_buffer_append(b,
		                   "# HELP %s Time from request start to response, by route (long-polls and streams "
		                   "excluded).\n# TYPE %s histogram\n",
		                   family, family);
	for (size_t r = 0; r <= metrics->route_count; r++) {
		const struct route *route = r < count ? &routes[r] : NULL;
		if (is_long_poll(route) != long_polls)
			continue;
		render_histogram(b, family, &metrics->routes[r], route != NULL ? route->pattern : "unmatched",
		                 route != NULL ? route->method : "any", long_polls ? long_poll_bounds : request_bounds,
		                 long_polls ? LONG_POLL_BUCKETS : REQUEST_BUCKETS);
	}
}

void http_metrics_render(struct http_metrics *metrics, struct text_buffer *b)
{
	size_t count;
	const struct route *routes = router_routes(&count);
	text_buffer_append(b, "# HELP camfleet_http_requests_total HTTP requests answered, by route, method and status "
	                      "code.\n# TYPE camfleet_http_requests_total counter\n");
	for (size_t r = 0; r <= metrics->route_count; r++) {
		const char *pattern = r < count ? routes[r].pattern : "unmatched";
		const char *method = r < count ? routes[r].method : "any";
		for (unsigned s = 0; s < STATUS_SPAN; s++) {
			uint64_t n = atomic_load_explicit(&metrics->routes[r].by_status[s], memory_order_relaxed);
			if (n != 0)
				text_buffer_append(
				    b, "camfleet_http_requests_total{route=\"%s\",method=\"%s\",code=\"%u\"} %llu\n",
				    pattern, method, s + STATUS_MIN, (unsigned long long)n);
		}
	}
	render_histograms(b, metrics, false);
	render_histograms(b, metrics, true);
}
