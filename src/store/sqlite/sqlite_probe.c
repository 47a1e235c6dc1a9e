/* Whether a SQLite file already holds camfleet's schema, found without creating the file or
 * writing to it: `camfleet admin` refuses to create a database on a typo (store_schema_exists). */
#include <errno.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

#include "store/backends.h"
#include "util/log.h"

static const char SQL_SCHEMA_PRESENT[] =
    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";

enum store_result sqlite_store_schema_exists(const char *path, bool *exists)
{
	*exists = false;
	struct stat status;
	if (stat(path, &status) != 0) {
		if (errno == ENOENT)
			return STORE_OK;
		log_error("sqlite: cannot read %s: %s", path, strerror(errno));
		return STORE_UNAVAILABLE;
	}
	if (status.st_size == 0) /* an empty file (a server's lock left it) holds no schema */
		return STORE_OK;
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	sqlite3_stmt *statement = NULL;
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, SQL_SCHEMA_PRESENT, -1, &statement, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(statement);
		*exists = rc == SQLITE_ROW;
		if (rc == SQLITE_ROW || rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	if (rc != SQLITE_OK)
		log_error("sqlite: cannot read %s: %s", path, db != NULL ? sqlite3_errmsg(db) : "out of memory");
	sqlite3_finalize(statement);
	sqlite3_close(db);
	return rc == SQLITE_OK ? STORE_OK : STORE_UNAVAILABLE;
}
