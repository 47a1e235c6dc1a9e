/* How many HTTP connections fit in the process's open-file limit: the files camfleet keeps open
 * besides its connections (database, webhook deliveries, listeners, a margin) are set aside
 * first. Pure arithmetic, no I/O: cli/serve_limits.c reads and raises the limit. */
#ifndef CAMFLEET_HTTP_CONNECTION_BUDGET_H
#define CAMFLEET_HTTP_CONNECTION_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

/* Files each user of the process may hold at once, as reserved for it. */
#define CONNECTION_BUDGET_STANDARD_FILES          3  /* stdin, stdout, stderr (the log) */
#define CONNECTION_BUDGET_FILES_PER_DATABASE_LINK 3  /* SQLite: database, WAL and shared memory; PostgreSQL: 1 */
#define CONNECTION_BUDGET_FILES_PER_DELIVERY      2  /* a webhook's socket and libcurl's resolver pair */
#define CONNECTION_BUDGET_FILES_PER_HTTP_THREAD   2  /* a libmicrohttpd worker's epoll and wake-up fds */
#define CONNECTION_BUDGET_METRICS_LISTENER_FILES  68 /* its 64 connections, socket, epoll, wake-up */
#define CONNECTION_BUDGET_MARGIN                  64 /* listeners, lock file, event fds, zoneinfo, keys */

/* What the server runs beside its HTTP connections (from its configuration). */
struct connection_budget_needs {
	unsigned http_threads;         /* --threads */
	unsigned database_connections; /* the store's pool, listening connection included */
	unsigned webhook_concurrency;  /* --webhook-concurrency */
	bool metrics_listener;         /* --metrics-listen given */
};

/* Files set aside for everything but the HTTP connections. */
uint64_t connection_budget_reserved_files(const struct connection_budget_needs *needs);

/* The HTTP connections that fit in open_files (the soft RLIMIT_NOFILE) beside the reserved files,
 * at most max_connections_cap; 0 when none fit. */
unsigned connection_budget_connections(uint64_t open_files, const struct connection_budget_needs *needs,
                                       unsigned max_connections_cap);

#endif
