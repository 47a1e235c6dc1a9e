/* The open-file limit of `camfleet serve` and the connection limit derived from it
 * (cli/serve_limits.h; the arithmetic is http/connection_budget.c). */
#include "cli/serve_limits.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "http/connection_budget.h"
#include "util/log.h"

#define BACKGROUND_DATABASE_CONNECTIONS 6
#define MAX_CONNECTIONS_CAP             1000000 /* the largest --max-connections accepted */
/* Linux refuses an infinite RLIMIT_NOFILE: an infinite hard limit is raised to fs.nr_open's
 * default instead. */
#define INFINITE_LIMIT_TARGET ((rlim_t)1 << 20)

unsigned serve_database_connections(const struct app_config *config)
{
	return config->threads + config->write_threads + BACKGROUND_DATABASE_CONNECTIONS;
}

/* Raises the soft limit to the hard one; the soft limit in force afterwards. */
static uint64_t raise_open_file_limit(void)
{
	struct rlimit limit;
	if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
		log_warn("open files: cannot read the limit: %s; assuming 1024", strerror(errno));
		return 1024;
	}
	if (limit.rlim_cur == RLIM_INFINITY) /* not on Linux; nothing to raise */
		return UINT64_MAX;
	rlim_t target = limit.rlim_max == RLIM_INFINITY ? INFINITE_LIMIT_TARGET : limit.rlim_max;
	if (limit.rlim_cur >= target) {
		log_info("open files: soft limit %" PRIu64 ", hard limit %" PRIu64, (uint64_t)limit.rlim_cur,
		         (uint64_t)limit.rlim_max);
		return limit.rlim_cur;
	}
	rlim_t before = limit.rlim_cur;
	limit.rlim_cur = target;
	if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
		log_warn("open files: cannot raise the soft limit from %" PRIu64 " to the hard limit %" PRIu64
		         ": %s; keeping %" PRIu64,
		         (uint64_t)before, (uint64_t)target, strerror(errno), (uint64_t)before);
		return before;
	}
	log_info("open files: soft limit raised from %" PRIu64 " to the hard limit %" PRIu64, (uint64_t)before,
	         (uint64_t)target);
	return target;
}

int serve_limits_apply(struct app_config *config)
{
	uint64_t open_files = raise_open_file_limit();
	struct connection_budget_needs needs = {
	    .http_threads = config->threads,
	    .database_connections = serve_database_connections(config) + 1, /* + PostgreSQL's listener */
	    .webhook_concurrency = config->webhook_concurrency,
	    .metrics_listener = config->metrics_listen,
	};
	uint64_t reserved = connection_budget_reserved_files(&needs);
	unsigned fitting = connection_budget_connections(open_files, &needs, MAX_CONNECTIONS_CAP);
	if (fitting == 0) {
		fprintf(stderr,
		        "camfleet serve: the open-file limit %" PRIu64 " leaves no room for connections: %" PRIu64
		        " files are kept for %u database connections, %u webhook deliveries, listeners and a margin; "
		        "raise the limit (ulimit -n, systemd LimitNOFILE=) or lower --threads, --write-threads or "
		        "--webhook-concurrency\n",
		        open_files, reserved, needs.database_connections, needs.webhook_concurrency);
		return -1;
	}
	if (config->max_connections == 0) {
		config->max_connections = fitting;
		log_info("connections: at most %u (derived from the open-file limit %" PRIu64 ", %" PRIu64
		         " files kept for %u database connections, %u webhook deliveries, listeners and a margin)",
		         fitting, open_files, reserved, needs.database_connections, needs.webhook_concurrency);
		return 0;
	}
	if (config->max_connections > fitting) {
		fprintf(stderr,
		        "camfleet serve: --max-connections %u does not fit in the open-file limit %" PRIu64 " (%" PRIu64
		        " files are kept for %u database connections, %u webhook deliveries, listeners and a margin): "
		        "give at most %u, or raise the limit (ulimit -n, systemd LimitNOFILE=)\n",
		        config->max_connections, open_files, reserved, needs.database_connections,
		        needs.webhook_concurrency, fitting);
		return -1;
	}
	log_info("connections: at most %u (--max-connections; the open-file limit %" PRIu64 " holds up to %u)",
	         config->max_connections, open_files, fitting);
	return 0;
}
