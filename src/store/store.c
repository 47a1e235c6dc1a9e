/* Chooses the store back end from a database URL. */
#include "store/store.h"

#include <string.h>

#include "util/log.h"

struct store *sqlite_store_open(const char *path, unsigned connections);

struct store *store_open(const char *url, unsigned connections)
{
	if (url == NULL || url[0] == '\0') {
		log_error("store: no database URL given");
		return NULL;
	}
	if (strncmp(url, "sqlite:", 7) == 0) {
		const char *path = url + 7;
		if (strncmp(path, "//", 2) == 0)
			path += 2; /* sqlite://PATH is accepted too */
		if (path[0] == '\0') {
			log_error("store: sqlite URL has no path: %s", url);
			return NULL;
		}
		return sqlite_store_open(path, connections);
	}
	if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0) {
		log_error("store: the PostgreSQL back end is not available in this build");
		return NULL;
	}
	log_error("store: unsupported database URL (expected sqlite:PATH): %s", url);
	return NULL;
}
