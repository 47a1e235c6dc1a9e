/* The open-file budget of the HTTP connections (http/connection_budget.h). */
#include "http/connection_budget.h"

uint64_t connection_budget_reserved_files(const struct connection_budget_needs *needs)
{
	uint64_t files = CONNECTION_BUDGET_STANDARD_FILES + CONNECTION_BUDGET_MARGIN;
	files += (uint64_t)needs->database_connections * CONNECTION_BUDGET_FILES_PER_DATABASE_LINK;
	files += (uint64_t)needs->webhook_concurrency * CONNECTION_BUDGET_FILES_PER_DELIVERY;
	files += (uint64_t)(needs->http_threads + 1) * CONNECTION_BUDGET_FILES_PER_HTTP_THREAD; /* + the master */
	if (needs->metrics_listener)
		files += CONNECTION_BUDGET_METRICS_LISTENER_FILES;
	return files;
}

unsigned connection_budget_connections(uint64_t open_files, const struct connection_budget_needs *needs,
                                       unsigned max_connections_cap)
{
	uint64_t reserved = connection_budget_reserved_files(needs);
	if (open_files <= reserved)
		return 0;
	uint64_t connections = open_files - reserved;
	return connections > max_connections_cap ? max_connections_cap : (unsigned)connections;
}
