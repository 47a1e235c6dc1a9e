/* `camfleet serve`'s open-file limit and connection limit: the soft RLIMIT_NOFILE raised to the
 * hard one at start, and --max-connections derived from it (or an explicit one checked against
 * it), leaving room for the files the server needs besides its connections. */
#ifndef CAMFLEET_CLI_SERVE_LIMITS_H
#define CAMFLEET_CLI_SERVE_LIMITS_H

#include "app.h"

/* The database connections `camfleet serve` opens: one per HTTP and write thread, and 6 for the
 * worker, flusher, reader, alerts, webhooks and a spare. */
unsigned serve_database_connections(const struct app_config *config);

/* Raises the soft open-file limit to the hard one (logged; a failure is a warning), then sets
 * config->max_connections when it is 0 (not given) to what the limit holds, or refuses an explicit
 * one above that. 0, or -1 after a message on stderr (serve then exits 2). */
int serve_limits_apply(struct app_config *config) __attribute__((warn_unused_result));

#endif
