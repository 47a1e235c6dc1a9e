/* Counters behind GET /metrics. One block per route: a count per status code (100..599) and a
 * cumulative latency histogram with fixed buckets. */
#include "http/metrics.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double bucket_bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
#define BUCKET_COUNT (sizeof(bucket_bounds) / sizeof(bucket_bounds[0]))
#define STATUS_MIN   100
#define STATUS_SPAN  500

struct route_counters {
	atomic_uint_fast64_t by_status[STATUS_SPAN];
	atomic_uint_fast64_t buckets[BUCKET_COUNT]; /* non-cumulative; summed when rendered */
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

void http_metrics_record(struct http_metrics *metrics, const struct route *route, unsigned status, uint64_t duration_ns)
{
	size_t slot = route != NULL ? route->index : metrics->route_count;
	struct route_counters *counters = &metrics->routes[slot];
	if (status >= STATUS_MIN && status < STATUS_MIN + STATUS_SPAN)
		atomic_fetch_add_explicit(&counters->by_status[status - STATUS_MIN], 1, memory_order_relaxed);
	double seconds = (double)duration_ns / 1e9;
	size_t bucket = 0;
	while (bucket < BUCKET_COUNT && seconds > bucket_bounds[bucket])
		bucket++;
	if (bucket < BUCKET_COUNT)
		atomic_fetch_add_explicit(&counters->buckets[bucket], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&counters->count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&counters->sum_ns, duration_ns, memory_order_relaxed);
}

struct text_buffer {
	char *data;
	size_t length, capacity;
	int failed;
};

static void append(struct text_buffer *b, const char *format, ...) __attribute__((format(printf, 2, 3)));

static void append(struct text_buffer *b, const char *format, ...)
{
	if (b->failed)
		return;
	for (;;) {
		va_list args;
		va_start(args, format);
		int n = vsnprintf(b->data + b->length, b->capacity - b->length, format, args);
		va_end(args);
		if (n < 0) {
			b->failed = 1;
			return;
		}
		if ((size_t)n < b->capacity - b->length) {
			b->length += (size_t)n;
			return;
		}
		size_t capacity = b->capacity * 2 + (size_t)n;
		char *grown = realloc(b->data, capacity);
		if (grown == NULL) {
			b->failed = 1;
			return;
		}
		b->data = grown;
		b->capacity = capacity;
	}
}

char *http_metrics_render(struct http_metrics *metrics, const char *extra, size_t *length_out)
{
	struct text_buffer b = {malloc(16384), 0, 16384, 0};
	if (b.data == NULL)
		return NULL;
	size_t count;
	const struct route *routes = router_routes(&count);
	append(&b, "# HELP camfleet_http_requests_total HTTP requests answered, by route, method and status code.\n"
	           "# TYPE camfleet_http_requests_total counter\n");
	for (size_t r = 0; r <= metrics->route_count; r++) {
		const char *pattern = r < count ? routes[r].pattern : "unmatched";
		const char *method = r < count ? routes[r].method : "any";
		for (unsigned s = 0; s < STATUS_SPAN; s++) {
			uint64_t n = atomic_load_explicit(&metrics->routes[r].by_status[s], memory_order_relaxed);
			if (n != 0)
				append(&b,
				       "camfleet_http_requests_total{route=\"%s\",method=\"%s\",code=\"%u\"} %llu\n",
				       pattern, method, s + STATUS_MIN, (unsigned long long)n);
		}
	}
	append(&b, "# HELP camfleet_http_request_duration_seconds Time from request start to response, by route.\n"
	           "# TYPE camfleet_http_request_duration_seconds histogram\n");
	for (size_t r = 0; r <= metrics->route_count; r++) {
		struct route_counters *c = &metrics->routes[r];
		uint64_t total = atomic_load_explicit(&c->count, memory_order_relaxed);
		if (total == 0)
			continue;
		const char *pattern = r < count ? routes[r].pattern : "unmatched";
		const char *method = r < count ? routes[r].method : "any";
		uint64_t cumulative = 0;
		for (size_t i = 0; i < BUCKET_COUNT; i++) {
			cumulative += atomic_load_explicit(&c->buckets[i], memory_order_relaxed);
			append(&b,
			       "camfleet_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\",le=\"%g\"} "
			       "%llu\n",
			       pattern, method, bucket_bounds[i], (unsigned long long)cumulative);
		}
		append(&b,
		       "camfleet_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\",le=\"+Inf\"} %llu\n",
		       pattern, method, (unsigned long long)total);
		append(&b, "camfleet_http_request_duration_seconds_sum{route=\"%s\",method=\"%s\"} %.6f\n", pattern,
		       method, (double)atomic_load_explicit(&c->sum_ns, memory_order_relaxed) / 1e9);
		append(&b, "camfleet_http_request_duration_seconds_count{route=\"%s\",method=\"%s\"} %llu\n", pattern,
		       method, (unsigned long long)total);
	}
	if (extra != NULL)
		append(&b, "%s", extra);
	if (b.failed) {
		free(b.data);
		return NULL;
	}
	*length_out = b.length;
	return b.data;
}
