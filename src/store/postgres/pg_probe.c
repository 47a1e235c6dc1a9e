/* Whether a PostgreSQL database already holds camfleet's schema (its schema_migrations table on
 * the search path), found without creating anything: `camfleet admin` refuses to set up a
 * database it was not asked to (store_schema_exists). */
#include <libpq-fe.h>
#include <string.h>

#include "store/backends.h"
#include "store/postgres/pg_driver.h"
#include "util/log.h"

enum store_result pg_store_schema_exists(const char *url, bool *exists)
{
	*exists = false;
	char error[512];
	PGconn *conn = pg_connect(url, error, sizeof(error));
	if (conn == NULL) {
		log_error("postgres: cannot connect: %s", error);
		return STORE_UNAVAILABLE;
	}
	PGresult *res = PQexec(conn, "SELECT to_regclass('schema_migrations') IS NOT NULL");
	enum store_result result = STORE_UNAVAILABLE;
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
		*exists = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
		result = STORE_OK;
	} else {
		log_error("postgres: cannot look for camfleet's tables: %s", PQerrorMessage(conn));
	}
	PQclear(res);
	PQfinish(conn);
	return result;
}
