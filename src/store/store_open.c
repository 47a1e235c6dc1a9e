/* Opens a store: chooses the back end from a database URL (store_open() of store.h). */
#include "store/store.h"

#include <stdio.h>
#include <string.h>

#include "store/backends.h"
#include "util/log.h"

struct store *store_open(const char *url, unsigned connections, enum store_user user)
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
		return sqlite_store_open(path, connections, user);
	}
	if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0) {
		return pg_store_open(url, connections);
	}
	char shown[512];
	store_url_redacted(url, shown, sizeof(shown));
	log_error("store: unsupported database URL (expected sqlite:PATH or postgres://...): %s", shown);
	return NULL;
}

void store_url_redacted(const char *url, char *out, size_t size)
{
	const char *scheme_end = strstr(url, "://");
	const char *at = scheme_end != NULL ? strchr(scheme_end + 3, '@') : NULL;
	const char *colon = at != NULL ? memchr(scheme_end + 3, ':', (size_t)(at - scheme_end - 3)) : NULL;
	const char *query = strchr(url, '?');
	if (colon != NULL)
		snprintf(out, size, "%.*s:***%s", (int)(colon - url), url, at);
	else
		snprintf(out, size, "%s", url);
	if (query != NULL && strstr(query, "password=") != NULL) {
		char *cut = strchr(out, '?');
		if (cut != NULL)
			snprintf(cut, size - (size_t)(cut - out), "?***");
	}
}
