/* The SQLite driver of the statement runner: the pool, statements prepared once per connection
 * ($N placeholders read as ?N), typed binding and column reading, the error mapping, and write
 * transactions (BEGIN IMMEDIATE after taking the store's write lock, so writers queue in arrival
 * order instead of in SQLite's busy handler, whose growing sleeps would make waits long and
 * unfair). */
#include "store/sqlite/sqlite_driver.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/log.h"

static struct sqlite_store *as_sqlite(struct store *store)
{
	return (struct sqlite_store *)store;
}

static struct sqlite_connection *as_connection(struct sql_connection *connection)
{
	return (struct sqlite_connection *)connection;
}

static struct sql_connection *sqlite_acquire(struct store *store)
{
	struct sqlite_store *s = as_sqlite(store);
	pthread_mutex_lock(&s->lock);
	while (s->free_list == NULL)
		pthread_cond_wait(&s->available, &s->lock);
	struct sqlite_connection *connection = s->free_list;
	s->free_list = connection->next_free;
	pthread_mutex_unlock(&s->lock);
	return &connection->base;
}

static void sqlite_release(struct store *store, struct sql_connection *base)
{
	struct sqlite_store *s = as_sqlite(store);
	struct sqlite_connection *connection = as_connection(base);
	pthread_mutex_lock(&s->lock);
	connection->next_free = s->free_list;
	s->free_list = connection;
	pthread_cond_signal(&s->available);
	pthread_mutex_unlock(&s->lock);
}

static enum store_result fail(struct sqlite_connection *connection, const char *sql, int code)
{
	int primary = code & 0xff;
	if (primary == SQLITE_CONSTRAINT)
		return STORE_CONFLICT;
	log_error("sqlite: %s (code %d) in: %s", sqlite3_errmsg(connection->db), code, sql);
	if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_CANTOPEN)
		return STORE_UNAVAILABLE;
	return STORE_ERROR;
}

/* Prepares sql with its $N placeholders written ?N (the same length: SQLite reads $N as a named
 * parameter, numbered by first appearance, not by N). */
static sqlite3_stmt *prepare(struct sqlite_connection *connection, const char *sql)
{
	char *text = strdup(sql);
	if (text == NULL)
		return NULL;
	for (char *p = text; (p = strchr(p, '$')) != NULL; p++)
		if (p[1] >= '0' && p[1] <= '9')
			*p = '?';
	sqlite3_stmt *statement = NULL;
	int rc = sqlite3_prepare_v3(connection->db, text, -1, SQLITE_PREPARE_PERSISTENT, &statement, NULL);
	if (rc != SQLITE_OK)
		log_error("sqlite: cannot prepare statement: %s (%s)", sqlite3_errmsg(connection->db), sql);
	free(text);
	return rc == SQLITE_OK ? statement : NULL;
}

/* The prepared statement for sql (cached by its address), reset with bindings cleared; NULL
 * (logged) when it cannot be prepared. */
static sqlite3_stmt *statement_for(struct sqlite_connection *connection, const char *sql)
{
	size_t slot = ((uintptr_t)sql >> 3) % SQLITE_STATEMENT_SLOTS;
	for (size_t probe = 0; probe < SQLITE_STATEMENT_SLOTS; probe++) {
		struct sqlite_statement_slot *entry = &connection->slots[(slot + probe) % SQLITE_STATEMENT_SLOTS];
		if (entry->sql == sql) {
			sqlite3_reset(entry->statement);
			sqlite3_clear_bindings(entry->statement);
			return entry->statement;
		}
		if (entry->sql == NULL) {
			entry->statement = prepare(connection, sql);
			if (entry->statement != NULL)
				entry->sql = sql;
			return entry->statement;
		}
	}
	log_error("sqlite: statement cache full");
	return NULL;
}

static int bind(sqlite3_stmt *statement, int index, const struct sql_value *value)
{
	switch (value->kind) {
	case SQL_NULL: return sqlite3_bind_null(statement, index);
	case SQL_TEXT: return sqlite3_bind_text(statement, index, value->as.text, -1, SQLITE_STATIC);
	case SQL_INT64: return sqlite3_bind_int64(statement, index, value->as.int64);
	case SQL_DOUBLE: return sqlite3_bind_double(statement, index, value->as.real);
	case SQL_BOOL: return sqlite3_bind_int(statement, index, value->as.boolean ? 1 : 0);
	case SQL_BLOB:
		return sqlite3_bind_blob64(statement, index, value->as.blob.data, value->as.blob.length, SQLITE_STATIC);
	}
	return SQLITE_MISUSE;
}

static enum store_result sqlite_run(struct sql_connection *base, const char *sql, const struct sql_params *params,
                                    sql_row_fn row, void *context, long *affected, bool streamed)
{
	(void)streamed; /* an embedded database hands over rows one by one anyway */
	struct sqlite_connection *connection = as_connection(base);
	sqlite3_stmt *statement = statement_for(connection, sql);
	if (statement == NULL)
		return STORE_ERROR;
	for (int i = 0; params != NULL && i < params->count; i++) {
		int rc = bind(statement, i + 1, &params->values[i]);
		if (rc != SQLITE_OK) {
			sqlite3_clear_bindings(statement);
			return fail(connection, sql, rc);
		}
	}
	/* A write outside a transaction queues on the write lock like a transaction does. */
	bool lock = !connection->holds_write_lock && !sqlite3_stmt_readonly(statement);
	if (lock)
		pthread_mutex_lock(connection->write_lock);
	struct sql_row current = {&sqlite_driver, statement, 0};
	long rows = 0;
	int rc;
	while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
		rows++;
		if (row != NULL && row(context, &current) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	enum store_result result = rc == SQLITE_DONE ? STORE_OK : fail(connection, sql, rc);
	if (lock)
		pthread_mutex_unlock(connection->write_lock);
	if (affected != NULL)
		*affected = sqlite3_stmt_readonly(statement) ? rows : (long)sqlite3_changes(connection->db);
	sqlite3_reset(statement);
	sqlite3_clear_bindings(statement); /* values are bound without a copy: drop them with the call */
	return result;
}

static enum store_result exec_simple(struct sqlite_connection *connection, const char *sql)
{
	return sqlite_run(&connection->base, sql, NULL, NULL, NULL, NULL, false);
}

static void release_write_lock(struct sqlite_connection *connection)
{
	if (connection->holds_write_lock) {
		connection->holds_write_lock = false;
		pthread_mutex_unlock(connection->write_lock);
	}
}

static const char SQL_BEGIN[] = "BEGIN IMMEDIATE";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";

static enum store_result sqlite_begin(struct sql_connection *base)
{
	struct sqlite_connection *connection = as_connection(base);
	pthread_mutex_lock(connection->write_lock);
	connection->holds_write_lock = true;
	enum store_result result = exec_simple(connection, SQL_BEGIN);
	if (result != STORE_OK)
		release_write_lock(connection);
	return result;
}

static void sqlite_rollback(struct sql_connection *base)
{
	struct sqlite_connection *connection = as_connection(base);
	if (!sqlite3_get_autocommit(connection->db) && exec_simple(connection, SQL_ROLLBACK) != STORE_OK)
		log_error("sqlite: rollback failed");
	release_write_lock(connection);
}

enum store_result sqlite_commit_then(struct sql_connection *base, void (*committed)(void *context), void *context)
{
	struct sqlite_connection *connection = as_connection(base);
	enum store_result result = exec_simple(connection, SQL_COMMIT);
	if (result != STORE_OK)
		sqlite_rollback(base);
	else if (committed != NULL)
		committed(context);
	release_write_lock(connection);
	return result;
}

static enum store_result sqlite_commit(struct sql_connection *connection)
{
	return sqlite_commit_then(connection, NULL, NULL);
}

static sqlite3_stmt *row_statement(const struct sql_row *row)
{
	return (sqlite3_stmt *)row->source;
}

static const char *sqlite_column_text_of(const struct sql_row *row, int column)
{
	return (const char *)sqlite3_column_text(row_statement(row), column);
}

static int64_t sqlite_column_bigint(const struct sql_row *row, int column)
{
	return sqlite3_column_int64(row_statement(row), column); /* NULL reads as 0 */
}

static double sqlite_column_real(const struct sql_row *row, int column)
{
	return sqlite3_column_double(row_statement(row), column);
}

static bool sqlite_column_boolean(const struct sql_row *row, int column)
{
	return sqlite3_column_int(row_statement(row), column) != 0;
}

static unsigned char *sqlite_blob_copy(const struct sql_row *row, int column, size_t *length)
{
	sqlite3_stmt *statement = row_statement(row);
	*length = 0;
	if (sqlite3_column_type(statement, column) == SQLITE_NULL)
		return NULL;
	const void *data = sqlite3_column_blob(statement, column); /* NULL for a zero-length blob */
	*length = (size_t)sqlite3_column_bytes(statement, column);
	unsigned char *copy = malloc(*length > 0 ? *length : 1);
	if (copy != NULL && *length > 0)
		memcpy(copy, data, *length);
	return copy;
}

const struct sql_driver sqlite_driver = {
    .dialect = SQL_SQLITE,
    .acquire = sqlite_acquire,
    .release = sqlite_release,
    .run = sqlite_run,
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .text = sqlite_column_text_of,
    .int64 = sqlite_column_bigint,
    .real = sqlite_column_real,
    .boolean = sqlite_column_boolean,
    .blob_copy = sqlite_blob_copy,
};

/* Waits for another connection's lock in short steps (up to 10 s): with writers queued on the
 * write lock, the only waits left are brief (a statement outside a transaction, a checkpoint). */
static int busy_wait(void *context, int attempts)
{
	(void)context;
	if (attempts >= 50000)
		return 0;
	struct timespec pause = {0, 200 * 1000};
	nanosleep(&pause, NULL);
	return 1;
}

/* Before SQLite's first use: no memory statistics, which would take a global mutex on every
 * allocation of every connection (camfleet never reads them). */
static void configure_library(void)
{
	int rc = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (rc != SQLITE_OK) /* SQLite was initialised already (e.g. by a test): harmless */
		log_debug("sqlite: memory statistics stay on: %s", sqlite3_errstr(rc));
}

int sqlite_connection_open(struct sqlite_connection *connection, const char *path, pthread_mutex_t *write_lock)
{
	static pthread_once_t configured = PTHREAD_ONCE_INIT;
	pthread_once(&configured, configure_library);
	connection->base.driver = &sqlite_driver;
	connection->write_lock = write_lock;
	sqlite3 **db = &connection->db;
	int rc = sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		log_error("sqlite: cannot open %s: %s", path, *db ? sqlite3_errmsg(*db) : sqlite3_errstr(rc));
		return -1;
	}
	sqlite3_busy_handler(*db, busy_wait, NULL);
	char *error = NULL;
	rc = sqlite3_exec(*db,
	                  "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
	                  " PRAGMA temp_store=MEMORY; PRAGMA cache_size=-8000;",
	                  NULL, NULL, &error);
	if (rc != SQLITE_OK) {
		log_error("sqlite: cannot configure %s: %s", path, error ? error : sqlite3_errstr(rc));
		sqlite3_free(error);
		return -1;
	}
	return 0;
}

void sqlite_connection_close(struct sqlite_connection *connection)
{
	for (size_t slot = 0; slot < SQLITE_STATEMENT_SLOTS; slot++)
		if (connection->slots[slot].statement != NULL)
			sqlite3_finalize(connection->slots[slot].statement);
	if (connection->db != NULL)
		sqlite3_close(connection->db);
}
