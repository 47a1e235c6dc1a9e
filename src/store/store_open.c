/* Opens a store, or looks whether its schema exists: chooses the back end from a database URL
 * (store_open() and store_schema_exists() of store.h). */
#include "store/store.h"

#include <stdio.h>
#include <string.h>

#include "store/backends.h"
#include "util/log.h"

enum store_kind { STORE_KIND_NONE, STORE_KIND_SQLITE, STORE_KIND_POSTGRES };

/* The back end url names, and for SQLite the file's path in *path; STORE_KIND_NONE (logged) for
 * a URL that names none. */
static enum store_kind store_kind_of(const char *url, const char **path)
{
	if (url == NULL || url[0] == '\0') {
		log_error("store: no database URL given");
		return STORE_KIND_NONE;
	}
	if (strncmp(url, "sqlite:", 7) == 0) {
		*path = url + 7;
		if (strncmp(*path, "//", 2) == 0)
			*path += 2; /* sqlite://PATH is accepted too */
		if ((*path)[0] == '\0') {
			log_error("store: sqlite URL has no path: %s", url);
			return STORE_KIND_NONE;
		}
		return STORE_KIND_SQLITE;
	}
	if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0)
		return STORE_KIND_POSTGRES;
	char shown[512];
	store_url_redacted(url, shown, sizeof(shown));
	log_error("store: unsupported database URL (expected sqlite:PATH or postgres://...): %s", shown);
	return STORE_KIND_NONE;
}

struct store *store_open(const char *url, unsigned connections, enum store_user user)
{
	const char *path = NULL;
	switch (store_kind_of(url, &path)) {
	case STORE_KIND_SQLITE: return sqlite_store_open(path, connections, user);
	case STORE_KIND_POSTGRES: return pg_store_open(url, connections);
	case STORE_KIND_NONE: break;
	}
	return NULL;
}

enum store_result store_schema_exists(const char *url, bool *exists)
{
	const char *path = NULL;
	*exists = false;
	switch (store_kind_of(url, &path)) {
	case STORE_KIND_SQLITE: return sqlite_store_schema_exists(path, exists);
	case STORE_KIND_POSTGRES: return pg_store_schema_exists(url, exists);
	case STORE_KIND_NONE: break;
	}
	return STORE_UNAVAILABLE;
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
