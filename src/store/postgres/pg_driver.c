/* The PostgreSQL driver of the statement runner: the pool of libpq connections (each
 * reconnected on its next use after the database went away), statements prepared once per
 * connection with their parameters sent as text (bytea in binary), rows read in text format
 * (a listing in single-row mode, never whole in memory), READ COMMITTED transactions and the
 * error mapping (SQLSTATE class 23 is a conflict; a broken connection is dropped).
 *
 * A pooled connection the server ended while it sat idle (pg_terminate_backend,
 * idle_session_timeout, a proxy's idle cut, a failover) costs no request: it is dropped when
 * anything at all was readable on it, and when it broke under the first statement sent after it
 * was taken from the pool, that statement runs once more on a new connection if it is safe to
 * repeat: BEGIN, a PREPARE, a read, or a statement marked repeatable (sql_params). */
#include "store/postgres/pg_driver.h"

#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/timeutil.h"

/* At most one "database unreachable" line per this many seconds. */
#define PG_UNAVAILABLE_LOG_INTERVAL 5
#define PG_NUMBER_SIZE              32 /* room for an int64 or a double ("%.17g") as text */

static struct pg_store *as_pg(struct store *store)
{
	return (struct pg_store *)store;
}

static struct pg_connection *as_connection(struct sql_connection *connection)
{
	return (struct pg_connection *)connection;
}

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

void pg_connection_drop(struct pg_connection *connection)
{
	if (connection->conn != NULL)
		PQfinish(connection->conn);
	connection->conn = NULL;
	memset(connection->slots, 0, sizeof(connection->slots));
	connection->prepared_count = 0;
	connection->in_transaction = false;
}

/* Whether an idle pool connection may be used: nothing at all is readable on it. The server has
 * nothing to say to an idle session but its last words: a FATAL notice ("terminating connection
 * due to administrator command", an idle-session timeout, a shutdown) and then the end of file,
 * which may arrive a moment after the notice; a proxy's cut shows as the end of file alone. Either
 * way the connection is done (no notifications are LISTENed for on pool connections), so any
 * input condemns it, with no round trip spent. */
static bool connection_idle_and_quiet(PGconn *conn)
{
	struct pollfd idle = {.fd = PQsocket(conn), .events = POLLIN};
	if (idle.fd < 0 || PQstatus(conn) != CONNECTION_OK)
		return false;
	return poll(&idle, 1, 0) == 0;
}

static void log_unavailable(struct pg_store *s, const char *error)
{
	int64_t now = time_now_seconds();
	int64_t last = atomic_load(&s->unavailable_logged_at);
	if (now - last >= PG_UNAVAILABLE_LOG_INTERVAL &&
	    atomic_compare_exchange_strong(&s->unavailable_logged_at, &last, now))
		log_error("postgres: the database cannot be reached: %s", error);
}

static void pg_release(struct store *store, struct sql_connection *base);

static struct sql_connection *pg_acquire(struct store *store)
{
	struct pg_store *s = as_pg(store);
	pthread_mutex_lock(&s->lock);
	while (s->free_list == NULL)
		pthread_cond_wait(&s->available, &s->lock);
	struct pg_connection *connection = s->free_list;
	s->free_list = connection->next_free;
	pthread_mutex_unlock(&s->lock);

	if (connection->conn != NULL && !connection_idle_and_quiet(connection->conn))
		pg_connection_drop(connection);
	connection->answered = false;
	if (connection->conn == NULL) {
		char error[512];
		connection->conn = pg_connect(s->url, error, sizeof(error));
		if (connection->conn == NULL) {
			log_unavailable(s, error);
			pg_release(store, &connection->base);
			return NULL;
		}
		if (atomic_exchange(&s->was_unavailable, false))
			log_info("postgres: reconnected to the database");
	}
	return &connection->base;
}

static void pg_rollback(struct sql_connection *base);

static void pg_release(struct store *store, struct sql_connection *base)
{
	struct pg_store *s = as_pg(store);
	struct pg_connection *connection = as_connection(base);
	if (connection->in_transaction)
		pg_rollback(base);
	if (connection->conn == NULL)
		atomic_store(&s->was_unavailable, true);
	pthread_mutex_lock(&s->lock);
	connection->next_free = s->free_list;
	s->free_list = connection;
	pthread_cond_signal(&s->available);
	pthread_mutex_unlock(&s->lock);
}

/* Makes libpq's message of several lines ("FATAL: ...\nserver closed the connection ...") one line. */
static void one_line(char *text)
{
	size_t length = strlen(text);
	while (length > 0 && (text[length - 1] == '\n' || text[length - 1] == ' '))
		text[--length] = '\0';
	for (char *p = text; *p != '\0'; p++)
		if (*p == '\n')
			*p = ';';
}

/* Maps a failed result (or a NULL one) to a store result, logging what is not a conflict; drops
 * the connection when it broke. */
static enum store_result fail(struct pg_connection *connection, const PGresult *res, const char *sql)
{
	if (PQstatus(connection->conn) != CONNECTION_OK) {
		/* Logged by the caller (broke_before_any_answer), which knows whether it runs again. */
		snprintf(connection->lost_reason, sizeof(connection->lost_reason), "%s",
		         PQerrorMessage(connection->conn));
		one_line(connection->lost_reason);
		pg_connection_drop(connection);
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

/* libpq's form of the parameters: text, with numbers written into numbers[], bytea binary. */
struct pg_wire_params {
	const char *values[SQL_PARAMS_MAX];
	int lengths[SQL_PARAMS_MAX];
	int formats[SQL_PARAMS_MAX];
	char numbers[SQL_PARAMS_MAX][PG_NUMBER_SIZE];
};

static int to_wire(const struct sql_params *params, struct pg_wire_params *wire)
{
	int count = params != NULL ? params->count : 0;
	for (int i = 0; i < count; i++) {
		const struct sql_value *value = &params->values[i];
		wire->lengths[i] = 0;
		wire->formats[i] = 0;
		switch (value->kind) {
		case SQL_NULL: wire->values[i] = NULL; break;
		case SQL_TEXT: wire->values[i] = value->as.text; break;
		case SQL_BOOL: wire->values[i] = value->as.boolean ? "true" : "false"; break;
		case SQL_INT64:
			snprintf(wire->numbers[i], PG_NUMBER_SIZE, "%" PRId64, value->as.int64);
			wire->values[i] = wire->numbers[i];
			break;
		case SQL_DOUBLE:
			snprintf(wire->numbers[i], PG_NUMBER_SIZE, "%.17g", value->as.real);
			wire->values[i] = wire->numbers[i];
			break;
		case SQL_BLOB:
			wire->values[i] = value->as.blob.data;
			wire->lengths[i] = (int)value->as.blob.length;
			wire->formats[i] = 1;
			break;
		}
	}
	return count;
}

/* Hands the rows of res to row (until it stops); false when it stopped. */
static bool visit_rows(PGresult *res, sql_row_fn row, void *context)
{
	struct sql_row current = {&pg_driver, res, 0};
	for (current.index = 0; row != NULL && current.index < PQntuples(res); current.index++)
		if (row(context, &current) != 0)
			return false;
	return true;
}

/* The whole result at once: for statements of a few rows. */
static enum store_result run_whole(struct pg_connection *connection, const char *sql, const char *name, int count,
                                   const struct pg_wire_params *wire, sql_row_fn row, void *context, long *affected)
{
	PGresult *res = PQexecPrepared(connection->conn, name, count, wire->values, wire->lengths, wire->formats, 0);
	ExecStatusType status = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
		enum store_result result = fail(connection, res, sql);
		PQclear(res);
		return result;
	}
	if (affected != NULL) {
		const char *tuples = PQcmdTuples(res);
		*affected = tuples[0] != '\0' ? strtol(tuples, NULL, 10) : (long)PQntuples(res);
	}
	visit_rows(res, row, context);
	PQclear(res);
	return STORE_OK;
}

/* Row by row (single-row mode): for listings of any length. */
static enum store_result run_streamed(struct pg_connection *connection, const char *sql, const char *name, int count,
                                      const struct pg_wire_params *wire, sql_row_fn row, void *context, bool *delivered)
{
	if (!PQsendQueryPrepared(connection->conn, name, count, wire->values, wire->lengths, wire->formats, 0))
		return fail(connection, NULL, sql);
	if (!PQsetSingleRowMode(connection->conn))
		log_error("postgres: single-row mode refused; the list arrives whole");
	enum store_result result = STORE_OK;
	bool going = true;
	PGresult *res;
	/* Every result must be consumed, also after the callback stopped or an error. */
	while ((res = PQgetResult(connection->conn)) != NULL) {
		ExecStatusType status = PQresultStatus(res);
		if (status == PGRES_SINGLE_TUPLE || status == PGRES_TUPLES_OK) {
			if (going && result == STORE_OK) {
				*delivered = *delivered || PQntuples(res) > 0;
				going = visit_rows(res, row, context);
			}
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

/* What one attempt at a statement got to: the statement itself was sent (its PREPARE, if any,
 * was answered), rows of it reached the callback. */
struct attempt {
	bool sent;
	bool delivered;
};

static enum store_result run_once(struct pg_connection *connection, const char *sql, const struct sql_params *params,
                                  sql_row_fn row, void *context, long *affected, bool streamed, struct attempt *attempt)
{
	enum store_result result;
	char name[16];
	*attempt = (struct attempt){false, false};
	if (!prepared_name(connection, sql, name, &result))
		return result;
	attempt->sent = true;
	struct pg_wire_params wire;
	int count = to_wire(params, &wire);
	if (streamed)
		return run_streamed(connection, sql, name, count, &wire, row, context, &attempt->delivered);
	return run_whole(connection, sql, name, count, &wire, row, context, affected);
}

/* A read: running it again changes nothing. (SELECT pg_notify sends its message at commit: a second
 * run can repeat it only when the first connection broke after its commit and before its answer,
 * and a cross-node message is a wake-up or a cache drop, harmless twice.) */
static bool statement_is_read(const char *sql)
{
	return strncmp(sql, "SELECT ", 7) == 0;
}

/* After a failure: whether the connection broke under the first statement sent since it was taken
 * from the pool (so it was an idle connection the server had already ended, or one the database
 * lost just then: running it again on a new connection tells which). Otherwise logs the break. */
static bool broke_before_any_answer(struct pg_connection *connection, enum store_result result, bool first)
{
	if (result != STORE_UNAVAILABLE || connection->conn != NULL)
		return false;
	if (first)
		return true;
	log_error("postgres: the connection broke: %s", connection->lost_reason);
	return false;
}

/* Connects the pool connection anew for a statement to run again; false (logged) when the
 * database cannot be reached. */
static bool reconnect_for_retry(struct pg_connection *connection, const char *what)
{
	log_info("postgres: a pooled connection had been closed (%s); %s runs again on a new connection",
	         connection->lost_reason, what);
	char error[512];
	connection->conn = pg_connect(connection->store->url, error, sizeof(error));
	if (connection->conn != NULL)
		return true;
	log_unavailable(connection->store, error);
	return false;
}

static enum store_result pg_run(struct sql_connection *base, const char *sql, const struct sql_params *params,
                                sql_row_fn row, void *context, long *affected, bool streamed)
{
	struct pg_connection *connection = as_connection(base);
	bool first = !connection->answered;
	struct attempt attempt;
	enum store_result result = run_once(connection, sql, params, row, context, affected, streamed, &attempt);
	if (broke_before_any_answer(connection, result, first)) {
		bool repeatable = statement_is_read(sql) || (params != NULL && params->repeatable);
		if (attempt.delivered || (attempt.sent && !repeatable)) {
			log_error("postgres: the connection broke under a statement not safe to repeat: %s",
			          connection->lost_reason);
			return result;
		}
		if (!reconnect_for_retry(connection, "the statement"))
			return STORE_UNAVAILABLE;
		result = run_once(connection, sql, params, row, context, affected, streamed, &attempt);
		broke_before_any_answer(connection, result, false); /* logs a second break */
	}
	connection->answered = connection->conn != NULL;
	return result;
}

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
	if (connection->conn != NULL)
		connection->answered = true;
	return result;
}

/* BEGIN is always safe to repeat: a transaction whose BEGIN found its connection closed runs on a
 * new one. */
static enum store_result pg_begin(struct sql_connection *base)
{
	struct pg_connection *connection = as_connection(base);
	bool first = !connection->answered;
	enum store_result result = control(connection, "BEGIN");
	if (broke_before_any_answer(connection, result, first)) {
		if (!reconnect_for_retry(connection, "BEGIN"))
			return STORE_UNAVAILABLE;
		result = control(connection, "BEGIN");
		broke_before_any_answer(connection, result, false);
	}
	connection->in_transaction = result == STORE_OK;
	return result;
}

static enum store_result pg_commit(struct sql_connection *base)
{
	struct pg_connection *connection = as_connection(base);
	enum store_result result = control(connection, "COMMIT");
	broke_before_any_answer(connection, result, false);
	if (result == STORE_CONFLICT)
		log_error("postgres: commit answered ROLLBACK: the transaction had failed");
	connection->in_transaction = false;
	return result == STORE_CONFLICT ? STORE_ERROR : result;
}

static void pg_rollback(struct sql_connection *base)
{
	struct pg_connection *connection = as_connection(base);
	if (connection->conn != NULL && connection->in_transaction && control(connection, "ROLLBACK") != STORE_OK) {
		broke_before_any_answer(connection, STORE_UNAVAILABLE, false);
		log_error("postgres: rollback failed");
	}
	connection->in_transaction = false;
}

/* --- columns ------------------------------------------------------------------------------ */

static const char *pg_column_text(const struct sql_row *row, int column)
{
	const PGresult *res = row->source;
	return PQgetisnull(res, row->index, column) ? NULL : PQgetvalue(res, row->index, column);
}

static int64_t pg_bigint(const struct sql_row *row, int column)
{
	const char *text = pg_column_text(row, column);
	return text != NULL ? strtoll(text, NULL, 10) : 0;
}

static double pg_column_real(const struct sql_row *row, int column)
{
	const char *text = pg_column_text(row, column);
	return text != NULL ? strtod(text, NULL) : 0;
}

static bool pg_column_boolean(const struct sql_row *row, int column)
{
	const char *text = pg_column_text(row, column);
	return text != NULL && text[0] == 't';
}

static unsigned char *pg_blob_copy(const struct sql_row *row, int column, size_t *length)
{
	const char *text = pg_column_text(row, column);
	*length = 0;
	if (text == NULL)
		return NULL;
	unsigned char *unescaped = PQunescapeBytea((const unsigned char *)text, length);
	if (unescaped == NULL)
		return NULL;
	unsigned char *copy = malloc(*length > 0 ? *length : 1); /* the caller frees with free() */
	if (copy != NULL)
		memcpy(copy, unescaped, *length);
	PQfreemem(unescaped);
	return copy;
}

const struct sql_driver pg_driver = {
    .dialect = SQL_POSTGRES,
    .acquire = pg_acquire,
    .release = pg_release,
    .run = pg_run,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .text = pg_column_text,
    .int64 = pg_bigint,
    .real = pg_column_real,
    .boolean = pg_column_boolean,
    .blob_copy = pg_blob_copy,
};
