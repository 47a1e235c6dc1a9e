/* PostgreSQL back end: the pool of libpq connections (each reconnected on its next use after the
 * database went away), statements prepared once per connection, parameters, transactions,
 * column readers, and opening the store: connecting, then running the migrations under an
 * advisory lock so that nodes starting together apply each one exactly once. The operations
 * live in pg_*.c beside this file; cross-node messages in pg_bus.c. */
#include "store/postgres/pg_internal.h"

#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/migration.h"
#include "store/postgres/pg_store.h"
#include "util/log.h"
#include "util/timeutil.h"

/* The key of the advisory lock held while migrations run (any constant shared by all nodes). */
#define PG_MIGRATION_LOCK_KEY "4242001"
/* At most one "database unreachable" line per this many seconds. */
#define PG_UNAVAILABLE_LOG_INTERVAL 5

static struct pg_store *as_pg(struct store *store)
{
	return (struct pg_store *)store;
}

/* --- connections -------------------------------------------------------------------------- */

/* Server notices ("relation already exists, skipping") carry nothing to act on; libpq would
 * print them on stderr, between the log lines. */
static void ignore_notice(void *context, const char *message)
{
	(void)context;
	(void)message;
}

PGconn *pg_connect(const char *url, char *error, size_t error_size)
{
	const char *const keywords[] = {"dbname", "connect_timeout", "application_name", NULL};
	const char *const values[] = {url, "5", "camfleet", NULL};
	PGconn *conn = PQconnectdbParams(keywords, values, 1);
	if (conn == NULL) {
		snprintf(error, error_size, "out of memory");
		return NULL;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		snprintf(error, error_size, "%s", PQerrorMessage(conn));
		size_t length = strlen(error);
		while (length > 0 && (error[length - 1] == '\n' || error[length - 1] == ' '))
			error[--length] = '\0';
		PQfinish(conn);
		return NULL;
	}
	PQsetNoticeProcessor(conn, ignore_notice, NULL);
	return conn;
}

static void drop_connection(struct pg_connection *connection)
{
	if (connection->conn != NULL)
		PQfinish(connection->conn);
	connection->conn = NULL;
	memset(connection->slots, 0, sizeof(connection->slots));
	connection->prepared_count = 0;
	connection->in_transaction = false;
}

/* Whether an idle connection still stands: a server that shut down or ended the session has
 * sent its last words and closed the socket, which is then readable. One poll(2), no round trip;
 * so a statement is never sent on a connection known to be dead (and never sent twice). */
static bool connection_alive(PGconn *conn)
{
	struct pollfd idle = {.fd = PQsocket(conn), .events = POLLIN};
	if (idle.fd < 0)
		return false;
	if (poll(&idle, 1, 0) > 0) {
		if (!PQconsumeInput(conn))
			return false;
		PGnotify *notify;
		while ((notify = PQnotifies(conn)) != NULL) /* none are expected on pool connections */
			PQfreemem(notify);
	}
	return PQstatus(conn) == CONNECTION_OK;
}

static void log_unavailable(struct pg_store *s, const char *error)
{
	int64_t now = time_now_seconds();
	int64_t last = atomic_load(&s->unavailable_logged_at);
	if (now - last >= PG_UNAVAILABLE_LOG_INTERVAL &&
	    atomic_compare_exchange_strong(&s->unavailable_logged_at, &last, now))
		log_error("postgres: the database cannot be reached: %s", error);
}

struct pg_connection *pg_acquire(struct store *store)
{
	struct pg_store *s = as_pg(store);
	pthread_mutex_lock(&s->lock);
	while (s->free_list == NULL)
		pthread_cond_wait(&s->available, &s->lock);
	struct pg_connection *connection = s->free_list;
	s->free_list = connection->next_free;
	pthread_mutex_unlock(&s->lock);

	if (connection->conn != NULL && !connection_alive(connection->conn))
		drop_connection(connection);
	if (connection->conn == NULL) {
		char error[512];
		connection->conn = pg_connect(s->url, error, sizeof(error));
		if (connection->conn == NULL) {
			log_unavailable(s, error);
			pg_release(store, connection);
			return NULL;
		}
		if (atomic_exchange(&s->was_unavailable, false))
			log_info("postgres: reconnected to the database");
	}
	return connection;
}

void pg_release(struct store *store, struct pg_connection *connection)
{
	struct pg_store *s = as_pg(store);
	if (connection->in_transaction)
		pg_rollback(connection);
	if (connection->conn == NULL)
		atomic_store(&s->was_unavailable, true);
	pthread_mutex_lock(&s->lock);
	connection->next_free = s->free_list;
	s->free_list = connection;
	pthread_cond_signal(&s->available);
	pthread_mutex_unlock(&s->lock);
}

/* --- parameters --------------------------------------------------------------------------- */

static void append(struct pg_params *params, const char *value, int length, int format)
{
	if (params->count >= PG_PARAMS_MAX) {
		/* A programming error: statements are written with at most PG_PARAMS_MAX parameters. */
		log_error("postgres: more than %d parameters", PG_PARAMS_MAX);
		abort();
	}
	params->values[params->count] = value;
	params->lengths[params->count] = length;
	params->formats[params->count] = format;
	params->count++;
}

void pg_param_text(struct pg_params *params, const char *text)
{
	append(params, text, 0, 0);
}

void pg_param_text_or_null(struct pg_params *params, const char *text)
{
	append(params, text != NULL && text[0] != '\0' ? text : NULL, 0, 0);
}

void pg_param_int64(struct pg_params *params, int64_t value)
{
	char *buffer = params->numbers[params->count < PG_PARAMS_MAX ? params->count : 0];
	snprintf(buffer, PG_NUMBER_SIZE, "%" PRId64, value);
	append(params, buffer, 0, 0);
}

void pg_param_time_or_null(struct pg_params *params, int64_t epoch_seconds)
{
	if (epoch_seconds == 0)
		append(params, NULL, 0, 0);
	else
		pg_param_int64(params, epoch_seconds);
}

void pg_param_double(struct pg_params *params, double value)
{
	char *buffer = params->numbers[params->count < PG_PARAMS_MAX ? params->count : 0];
	snprintf(buffer, PG_NUMBER_SIZE, "%.17g", value);
	append(params, buffer, 0, 0);
}

void pg_param_bool(struct pg_params *params, bool value)
{
	append(params, value ? "true" : "false", 0, 0);
}

void pg_param_binary(struct pg_params *params, const void *data, size_t length)
{
	append(params, (const char *)data, (int)length, 1);
}

/* --- statements --------------------------------------------------------------------------- */

/* Maps a failed result (or a NULL one) to a store result, logging what is not a conflict; drops
 * the connection when it broke. */
static enum store_result fail(struct pg_connection *connection, const PGresult *res, const char *sql)
{
	if (PQstatus(connection->conn) != CONNECTION_OK) {
		log_error("postgres: the connection broke: %s", PQerrorMessage(connection->conn));
		drop_connection(connection);
		return STORE_UNAVAILABLE;
	}
	const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (state != NULL && strncmp(state, "23", 2) == 0)
		return STORE_CONFLICT;
	log_error("postgres: %s (SQLSTATE %s) in: %s", res != NULL ? PQresultErrorMessage(res) : "no result",
	          state != NULL ? state : "-", sql);
	/* Class 08: connection exception; 57P: operator intervention (shutdown, admin kill). */
	if (state != NULL && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0))
		return STORE_UNAVAILABLE;
	return STORE_ERROR;
}

/* The name the statement sql is prepared under on this connection, preparing it on first use;
 * false (with *result set) when it cannot be prepared. */
static bool prepared_name(struct pg_connection *connection, const char *sql, char name[16], enum store_result *result)
{
	size_t slot = ((uintptr_t)sql >> 3) % PG_STATEMENT_SLOTS;
	for (size_t probe = 0; probe < PG_STATEMENT_SLOTS; probe++) {
		struct pg_statement_slot *entry = &connection->slots[(slot + probe) % PG_STATEMENT_SLOTS];
		if (entry->sql == sql) {
			snprintf(name, 16, "s%u", entry->number);
			return true;
		}
		if (entry->sql != NULL)
			continue;
		unsigned number = ++connection->prepared_count;
		snprintf(name, 16, "s%u", number);
		PGresult *res = PQprepare(connection->conn, name, sql, 0, NULL);
		if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
			*result = fail(connection, res, sql);
			PQclear(res);
			return false;
		}
		PQclear(res);
		entry->sql = sql;
		entry->number = number;
		return true;
	}
	log_error("postgres: statement cache full");
	*result = STORE_ERROR;
	return false;
}

PGresult *pg_query(struct pg_connection *connection, const char *sql, const struct pg_params *params,
                   enum store_result *result)
{
	char name[16];
	if (!prepared_name(connection, sql, name, result))
		return NULL;
	int count = params != NULL ? params->count : 0;
	PGresult *res =
	    PQexecPrepared(connection->conn, name, count, params != NULL ? params->values : NULL,
	                   params != NULL ? params->lengths : NULL, params != NULL ? params->formats : NULL, 0);
	ExecStatusType status = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
		*result = fail(connection, res, sql);
		PQclear(res);
		return NULL;
	}
	*result = STORE_OK;
	return res;
}

enum store_result pg_command(struct pg_connection *connection, const char *sql, const struct pg_params *params,
                             long *affected)
{
	enum store_result result;
	PGresult *res = pg_query(connection, sql, params, &result);
	if (res == NULL)
		return result;
	if (affected != NULL) {
		const char *tuples = PQcmdTuples(res);
		*affected = tuples[0] != '\0' ? strtol(tuples, NULL, 10) : (long)PQntuples(res);
	}
	PQclear(res);
	return STORE_OK;
}

enum store_result pg_each_row(struct pg_connection *connection, const char *sql, const struct pg_params *params,
                              pg_row_fn row, void *context)
{
	enum store_result result;
	char name[16];
	if (!prepared_name(connection, sql, name, &result))
		return result;
	int count = params != NULL ? params->count : 0;
	if (!PQsendQueryPrepared(connection->conn, name, count, params != NULL ? params->values : NULL,
	                         params != NULL ? params->lengths : NULL, params != NULL ? params->formats : NULL, 0))
		return fail(connection, NULL, sql);
	if (!PQsetSingleRowMode(connection->conn))
		log_error("postgres: single-row mode refused; the list arrives whole");
	result = STORE_OK;
	bool stopped = false;
	PGresult *res;
	/* Every result must be consumed, also after the callback stopped or an error. */
	while ((res = PQgetResult(connection->conn)) != NULL) {
		ExecStatusType status = PQresultStatus(res);
		if (status == PGRES_SINGLE_TUPLE || status == PGRES_TUPLES_OK) {
			for (int i = 0; i < PQntuples(res) && !stopped && result == STORE_OK; i++)
				stopped = row(context, res, i) != 0;
		} else if (result == STORE_OK) {
			result = fail(connection, res, sql);
			if (connection->conn == NULL) {
				PQclear(res);
				return result; /* the connection broke and is gone */
			}
		}
		PQclear(res);
	}
	return result;
}

/* --- transactions ------------------------------------------------------------------------- */

/* Runs a transaction-control command with the simple protocol; true when it answered as
 * expected (COMMIT in a failed transaction answers ROLLBACK: that is a failure). */
static enum store_result control(struct pg_connection *connection, const char *command)
{
	PGresult *res = PQexec(connection->conn, command);
	enum store_result result = STORE_OK;
	if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK)
		result = fail(connection, res, command);
	else if (strcmp(PQcmdStatus(res), command) != 0)
		result = STORE_CONFLICT; /* COMMIT of an aborted transaction rolled it back */
	PQclear(res);
	return result;
}

enum store_result pg_begin(struct pg_connection *connection)
{
	enum store_result result = control(connection, "BEGIN");
	connection->in_transaction = result == STORE_OK;
	return result;
}

enum store_result pg_commit(struct pg_connection *connection)
{
	enum store_result result = control(connection, "COMMIT");
	if (result == STORE_CONFLICT)
		log_error("postgres: commit answered ROLLBACK: the transaction had failed");
	connection->in_transaction = false;
	return result == STORE_CONFLICT ? STORE_ERROR : result;
}

void pg_rollback(struct pg_connection *connection)
{
	if (connection->conn != NULL && connection->in_transaction && control(connection, "ROLLBACK") != STORE_OK)
		log_error("postgres: rollback failed");
	connection->in_transaction = false;
}

/* --- columns ------------------------------------------------------------------------------ */

bool pg_copy(const PGresult *result, int row, int column, char *out, size_t size)
{
	if (PQgetisnull(result, row, column)) {
		out[0] = '\0';
		return false;
	}
	size_t length = (size_t)PQgetlength(result, row, column);
	if (length >= size)
		length = size - 1;
	memcpy(out, PQgetvalue(result, row, column), length);
	out[length] = '\0';
	return true;
}

int64_t pg_int64_or_zero(const PGresult *result, int row, int column)
{
	if (PQgetisnull(result, row, column))
		return 0;
	return strtoll(PQgetvalue(result, row, column), NULL, 10);
}

double pg_double_or_zero(const PGresult *result, int row, int column)
{
	if (PQgetisnull(result, row, column))
		return 0;
	return strtod(PQgetvalue(result, row, column), NULL);
}

bool pg_bool(const PGresult *result, int row, int column)
{
	return !PQgetisnull(result, row, column) && PQgetvalue(result, row, column)[0] == 't';
}

/* --- migrations --------------------------------------------------------------------------- */

/* Runs a command with the simple protocol (migration SQL may hold several statements). */
static int exec_script(PGconn *conn, const char *sql, const char *context)
{
	PGresult *res = PQexec(conn, sql);
	ExecStatusType status = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
		log_error("postgres: %s: %s", context, res != NULL ? PQresultErrorMessage(res) : PQerrorMessage(conn));
		PQclear(res);
		return -1;
	}
	PQclear(res);
	return 0;
}

/* 1 when the migration's version is recorded, 0 when not, -1 on error. */
static int migration_applied(PGconn *conn, int version)
{
	char text[16];
	snprintf(text, sizeof(text), "%d", version);
	const char *values[] = {text};
	PGresult *res = PQexecParams(conn, "SELECT 1 FROM schema_migrations WHERE version = $1::int", 1, NULL, values,
	                             NULL, NULL, 0);
	int applied = -1;
	if (res != NULL && PQresultStatus(res) == PGRES_TUPLES_OK)
		applied = PQntuples(res) > 0;
	else
		log_error("postgres: reading schema_migrations: %s", PQerrorMessage(conn));
	PQclear(res);
	return applied;
}

static int apply_migration(PGconn *conn, const struct migration *m)
{
	char version[16];
	snprintf(version, sizeof(version), "%d", m->version);
	const char *values[] = {version, m->name};
	if (exec_script(conn, "BEGIN", m->name) != 0)
		return -1;
	if (exec_script(conn, m->sql, m->name) != 0) {
		exec_script(conn, "ROLLBACK", m->name);
		return -1;
	}
	PGresult *res = PQexecParams(conn,
	                             "INSERT INTO schema_migrations(version, name, applied_at)"
	                             " VALUES ($1::int, $2, extract(epoch from now())::bigint)",
	                             2, NULL, values, NULL, NULL, 0);
	bool recorded = res != NULL && PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!recorded)
		log_error("postgres: recording migration %s: %s", m->name, PQerrorMessage(conn));
	PQclear(res);
	if (!recorded || exec_script(conn, "COMMIT", m->name) != 0) {
		exec_script(conn, "ROLLBACK", m->name);
		return -1;
	}
	log_info("postgres: applied migration %s", m->name);
	return 0;
}

/* Applies the migrations not yet recorded. The advisory lock makes nodes that start at the same
 * moment take turns: the first applies them, the others find them recorded. */
static int run_migrations(PGconn *conn)
{
	if (exec_script(conn, "SELECT pg_advisory_lock(" PG_MIGRATION_LOCK_KEY ")", "taking the migration lock") != 0)
		return -1;
	int status = exec_script(conn,
	                         "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY,"
	                         " name text NOT NULL, applied_at bigint NOT NULL)",
	                         "creating schema_migrations");
	for (const struct migration *m = postgres_migrations; status == 0 && m->sql != NULL; m++) {
		int applied = migration_applied(conn, m->version);
		if (applied < 0)
			status = -1;
		else if (!applied)
			status = apply_migration(conn, m);
	}
	if (exec_script(conn, "SELECT pg_advisory_unlock(" PG_MIGRATION_LOCK_KEY ")", "releasing the migration lock") !=
	    0)
		status = -1;
	return status;
}

/* --- the store ---------------------------------------------------------------------------- */

static void pg_store_close(struct store *store)
{
	struct pg_store *s = as_pg(store);
	pg_bus_stop(s);
	for (unsigned i = 0; i < s->connection_count; i++)
		drop_connection(&s->connections[i]);
	free(s->connections);
	free(s->url);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->available);
	free(s);
}

static const char SQL_PING[] = "SELECT 1";

/* Ready: a pooled connection answers, and the cross-node listener is connected. */
/* Nodes sharing the database cannot keep camera rows in memory: there is no cache. */
static enum store_result pg_camera_cache_usage(struct store *store, struct camera_cache_usage *out)
{
	(void)store;
	(void)out;
	return STORE_NOT_FOUND;
}

static enum store_result pg_store_ping(struct store *store)
{
	if (!pg_bus_listening(as_pg(store)))
		return STORE_UNAVAILABLE;
	struct pg_connection *connection = pg_acquire(store);
	if (connection == NULL)
		return STORE_UNAVAILABLE;
	enum store_result result = pg_command(connection, SQL_PING, NULL, NULL);
	pg_release(store, connection);
	return result;
}

static struct store_ops pg_ops;
static pthread_once_t pg_ops_once = PTHREAD_ONCE_INIT;

static void build_ops(void)
{
	pg_ops.close = pg_store_close;
	pg_ops.ping = pg_store_ping;
	pg_ops.camera_cache_usage = pg_camera_cache_usage;
	pg_directory_ops(&pg_ops);
	pg_camera_ops(&pg_ops);
	pg_async_ops(&pg_ops);
	pg_opening_hours_ops(&pg_ops);
	pg_device_ops(&pg_ops);
	pg_bus_ops(&pg_ops);
}

struct store *pg_store_open(const char *url, unsigned connections);

struct store *pg_store_open(const char *url, unsigned connections)
{
	pthread_once(&pg_ops_once, build_ops);
	if (connections == 0)
		connections = 1;
	struct pg_store *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->base.ops = &pg_ops;
	if (pthread_mutex_init(&s->lock, NULL) != 0) {
		free(s);
		return NULL;
	}
	if (pthread_cond_init(&s->available, NULL) != 0) {
		pthread_mutex_destroy(&s->lock);
		free(s);
		return NULL;
	}
	s->url = strdup(url);
	s->connections = calloc(connections, sizeof(*s->connections));
	if (s->url == NULL || s->connections == NULL) {
		pg_store_close(&s->base);
		return NULL;
	}
	s->connection_count = connections;
	if (uuid_generate_text(s->node_id) != 0) {
		pg_store_close(&s->base);
		return NULL;
	}
	char error[512];
	PGconn *first = pg_connect(url, error, sizeof(error));
	if (first == NULL) {
		log_error("postgres: cannot connect: %s", error);
		pg_store_close(&s->base);
		return NULL;
	}
	s->connections[0].conn = first;
	if (run_migrations(first) != 0) {
		pg_store_close(&s->base);
		return NULL;
	}
	/* The other connections open on first use (pg_acquire), so a pool larger than the load
	 * costs nothing at start. */
	for (unsigned i = connections; i-- > 0;) {
		s->connections[i].next_free = s->free_list;
		s->free_list = &s->connections[i];
	}
	return &s->base;
}
