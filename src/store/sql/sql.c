/* The statement runner's driver-independent half: parameter appenders, column readers, and the
 * statement shapes (one row, a write, every row, a transaction) over struct sql_driver. */
#include "store/sql/sql.h"

#include <stdlib.h>
#include <string.h>

#include "util/log.h"

static struct sql_value *next_value(struct sql_params *params, enum sql_kind kind)
{
	if (params->count >= SQL_PARAMS_MAX) {
		/* A programming error: statements are written with at most SQL_PARAMS_MAX parameters. */
		log_error("sql: more than %d parameters", SQL_PARAMS_MAX);
		abort();
	}
	struct sql_value *value = &params->values[params->count++];
	value->kind = kind;
	return value;
}

void sql_param_null(struct sql_params *params)
{
	next_value(params, SQL_NULL);
}

void sql_param_text(struct sql_params *params, const char *text)
{
	next_value(params, SQL_TEXT)->as.text = text;
}

void sql_param_text_or_null(struct sql_params *params, const char *text)
{
	if (text == NULL || text[0] == '\0')
		sql_param_null(params);
	else
		sql_param_text(params, text);
}

void sql_param_int64(struct sql_params *params, int64_t value)
{
	next_value(params, SQL_INT64)->as.int64 = value;
}

void sql_param_double(struct sql_params *params, double value)
{
	next_value(params, SQL_DOUBLE)->as.real = value;
}

void sql_param_bool(struct sql_params *params, bool value)
{
	next_value(params, SQL_BOOL)->as.boolean = value;
}

void sql_param_blob(struct sql_params *params, const void *data, size_t length)
{
	struct sql_value *value = next_value(params, SQL_BLOB);
	value->as.blob.data = data;
	value->as.blob.length = length;
}

void sql_param_limit(struct sql_params *params, enum sql_dialect dialect, unsigned limit)
{
	if (limit != 0)
		sql_param_int64(params, (int64_t)limit);
	else if (dialect == SQL_SQLITE)
		sql_param_int64(params, -1); /* SQLite: LIMIT NULL is an error, a negative limit none */
	else
		sql_param_null(params);
}

bool sql_text(const struct sql_row *row, int column, char *out, size_t size)
{
	const char *text = row->driver->text(row, column);
	if (text == NULL) {
		out[0] = '\0';
		return false;
	}
	size_t length = strnlen(text, size - 1);
	memcpy(out, text, length);
	out[length] = '\0';
	return true;
}

const char *sql_text_view(const struct sql_row *row, int column)
{
	const char *text = row->driver->text(row, column);
	return text != NULL ? text : "";
}

bool sql_is_null(const struct sql_row *row, int column)
{
	return row->driver->text(row, column) == NULL;
}

int64_t sql_int64(const struct sql_row *row, int column)
{
	return row->driver->int64(row, column);
}

double sql_double(const struct sql_row *row, int column)
{
	return row->driver->real(row, column);
}

bool sql_bool(const struct sql_row *row, int column)
{
	return row->driver->boolean(row, column);
}

unsigned char *sql_blob_copy(const struct sql_row *row, int column, size_t *length)
{
	return row->driver->blob_copy(row, column, length);
}

struct one_row {
	sql_row_reader read;
	void *out;
	bool seen;
};

static int read_first(void *context, const struct sql_row *row)
{
	struct one_row *one = context;
	one->seen = true;
	if (one->read != NULL)
		one->read(row, one->out);
	return 1;
}

enum store_result sql_fetch_one(struct sql_connection *connection, const char *sql, const struct sql_params *params,
                                sql_row_reader read, void *out)
{
	struct one_row one = {read, out, false};
	enum store_result result = connection->driver->run(connection, sql, params, read_first, &one, NULL, false);
	if (result == STORE_OK && !one.seen)
		return STORE_NOT_FOUND;
	return result;
}

enum store_result sql_change(struct sql_connection *connection, const char *sql, const struct sql_params *params,
                             bool changing)
{
	long affected = 0;
	enum store_result result = connection->driver->run(connection, sql, params, NULL, NULL, &affected, false);
	if (result == STORE_OK && changing && affected == 0)
		return STORE_NOT_FOUND;
	return result;
}

enum store_result sql_change_counted(struct sql_connection *connection, const char *sql,
                                     const struct sql_params *params, long *changed)
{
	*changed = 0;
	return connection->driver->run(connection, sql, params, NULL, NULL, changed, false);
}

enum store_result sql_fetch_each(struct sql_connection *connection, const char *sql, const struct sql_params *params,
                                 sql_row_fn row, void *context)
{
	return connection->driver->run(connection, sql, params, row, context, NULL, true);
}

enum store_result sql_fetch_batch(struct sql_connection *connection, const char *sql, const struct sql_params *params,
                                  sql_row_fn row, void *context)
{
	return connection->driver->run(connection, sql, params, row, context, NULL, false);
}

struct sql_connection *sql_acquire(struct store *store)
{
	return ((struct sql_store *)store)->driver->acquire(store);
}

void sql_release(struct store *store, struct sql_connection *connection)
{
	connection->driver->release(store, connection);
}

enum store_result sql_get(struct store *store, const char *sql, const struct sql_params *params, sql_row_reader read,
                          void *out)
{
	struct sql_connection *connection = sql_acquire(store);
	if (connection == NULL)
		return STORE_UNAVAILABLE;
	enum store_result result = sql_fetch_one(connection, sql, params, read, out);
	sql_release(store, connection);
	return result;
}

enum store_result sql_write(struct store *store, const char *sql, const struct sql_params *params, bool changing)
{
	struct sql_connection *connection = sql_acquire(store);
	if (connection == NULL)
		return STORE_UNAVAILABLE;
	enum store_result result = sql_change(connection, sql, params, changing);
	sql_release(store, connection);
	return result;
}

enum store_result sql_each(struct store *store, const char *sql, const struct sql_params *params, sql_row_fn row,
                           void *context)
{
	struct sql_connection *connection = sql_acquire(store);
	if (connection == NULL)
		return STORE_UNAVAILABLE;
	enum store_result result = sql_fetch_each(connection, sql, params, row, context);
	sql_release(store, connection);
	return result;
}

enum store_result sql_write_counted(struct store *store, const char *sql, const struct sql_params *params,
                                    long *changed)
{
	*changed = 0;
	struct sql_connection *connection = sql_acquire(store);
	if (connection == NULL)
		return STORE_UNAVAILABLE;
	enum store_result result = sql_change_counted(connection, sql, params, changed);
	sql_release(store, connection);
	return result;
}

/* Ends the transaction: commits after STORE_OK (returning the commit's result), else rolls back. */
static enum store_result sql_finish(struct sql_connection *connection, enum store_result result)
{
	if (result == STORE_OK)
		return connection->driver->commit(connection);
	connection->driver->rollback(connection);
	return result;
}

enum store_result sql_transaction(struct store *store, sql_transaction_body body, const void *context)
{
	struct sql_connection *connection = sql_acquire(store);
	if (connection == NULL)
		return STORE_UNAVAILABLE;
	enum store_result result = connection->driver->begin(connection);
	if (result == STORE_OK)
		result = sql_finish(connection, body(connection, context));
	sql_release(store, connection);
	return result;
}
