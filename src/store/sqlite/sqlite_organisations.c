/* SQLite operations on organisations. Deleting one is refused (STORE_CONFLICT) while anything
 * still belongs to it; the check and the delete run in one write transaction. */
#include "store/sqlite/sqlite_directory.h"

static const char SQL_ORGANISATION_INSERT[] = "INSERT INTO organisations(id, name, created_at) VALUES (?, ?, ?)";
static const char SQL_ORGANISATION_GET[] = "SELECT id, name, created_at FROM organisations WHERE id = ?";
static const char SQL_ORGANISATION_LIST[] = "SELECT id, name, created_at FROM organisations ORDER BY created_at, id";
static const char SQL_ORGANISATION_UPDATE[] = "UPDATE organisations SET name = ? WHERE id = ?";
static const char SQL_ORGANISATION_IN_USE[] = "SELECT 1 WHERE EXISTS (SELECT 1 FROM sites WHERE organisation_id = ?1)"
                                              " OR EXISTS (SELECT 1 FROM users WHERE organisation_id = ?1)"
                                              " OR EXISTS (SELECT 1 FROM clients WHERE organisation_id = ?1)"
                                              " OR EXISTS (SELECT 1 FROM cameras WHERE organisation_id = ?1)";
/* Positions left over at sites already deleted (none expected); they would block the delete. */
static const char SQL_ORGANISATION_DELETE_POSITIONS[] = "DELETE FROM camera_positions WHERE organisation_id = ?";
static const char SQL_ORGANISATION_DELETE[] = "DELETE FROM organisations WHERE id = ?";

static void read_organisation(sqlite3_stmt *statement, void *out)
{
	struct organisation *organisation = out;
	sqlite_column_copy(statement, 0, organisation->id, sizeof(organisation->id));
	sqlite_column_copy(statement, 1, organisation->name, sizeof(organisation->name));
	organisation->created_at = sqlite_column_int64_or_zero(statement, 2);
}

static enum store_result organisation_insert(struct store *store, const struct organisation *organisation)
{
	struct sqlite_connection *connection = sqlite_acquire(store);
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_ORGANISATION_INSERT);
	enum store_result result = STORE_ERROR;
	if (statement != NULL) {
		if ((sqlite_bind_text(statement, 1, organisation->id) |
		     sqlite_bind_text(statement, 2, organisation->name) |
		     sqlite3_bind_int64(statement, 3, organisation->created_at)) != SQLITE_OK)
			result = sqlite_bind_failure(connection, "organisation insert");
		else
			result = sqlite_run(connection, statement, "organisation insert");
	}
	sqlite_release(store, connection);
	return result;
}

static enum store_result organisation_get(struct store *store, const char *id, struct organisation *out)
{
	struct sqlite_connection *connection = sqlite_acquire(store);
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_ORGANISATION_GET);
	enum store_result result = STORE_ERROR;
	if (statement != NULL) {
		if (sqlite_bind_text(statement, 1, id) != SQLITE_OK)
			result = sqlite_bind_failure(connection, "organisation get");
		else
			result = sqlite_fetch_one(connection, statement, read_organisation, out, "organisation get");
	}
	sqlite_release(store, connection);
	return result;
}

struct organisation_visit {
	organisation_row_fn row;
	void *context;
};

static int visit_organisation(sqlite3_stmt *statement, void *context)
{
	struct organisation_visit *visit = context;
	struct organisation organisation;
	read_organisation(statement, &organisation);
	return visit->row(visit->context, &organisation);
}

static enum store_result organisation_list(struct store *store, organisation_row_fn row, void *context)
{
	struct organisation_visit visit = {row, context};
	struct sqlite_connection *connection = sqlite_acquire(store);
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_ORGANISATION_LIST);
	enum store_result result = STORE_ERROR;
	if (statement != NULL)
		result = sqlite_fetch_each(connection, statement, visit_organisation, &visit, "organisation list");
	sqlite_release(store, connection);
	return result;
}

static enum store_result organisation_update(struct store *store, const struct organisation *organisation)
{
	struct sqlite_connection *connection = sqlite_acquire(store);
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_ORGANISATION_UPDATE);
	enum store_result result = STORE_ERROR;
	if (statement != NULL) {
		if ((sqlite_bind_text(statement, 1, organisation->name) |
		     sqlite_bind_text(statement, 2, organisation->id)) != SQLITE_OK)
			result = sqlite_bind_failure(connection, "organisation update");
		else
			result = sqlite_run_changing(connection, statement, "organisation update");
	}
	sqlite_release(store, connection);
	return result;
}

/* Inside the transaction: conflict while in use, else deletes; STORE_NOT_FOUND when absent. */
static enum store_result delete_unused(struct sqlite_connection *connection, const void *context)
{
	const char *id = context;
	sqlite3_stmt *in_use = sqlite_statement(connection, SQL_ORGANISATION_IN_USE);
	if (in_use == NULL)
		return STORE_ERROR;
	if (sqlite_bind_text(in_use, 1, id) != SQLITE_OK)
		return sqlite_bind_failure(connection, "organisation delete");
	enum store_result result = sqlite_fetch_one(connection, in_use, NULL, NULL, "organisation delete check");
	if (result == STORE_OK)
		return STORE_CONFLICT;
	if (result != STORE_NOT_FOUND)
		return result;
	result = sqlite_run_with_id(connection, SQL_ORGANISATION_DELETE_POSITIONS, id, false,
	                            "organisation delete positions");
	if (result != STORE_OK)
		return result;
	return sqlite_run_with_id(connection, SQL_ORGANISATION_DELETE, id, true, "organisation delete");
}

static enum store_result organisation_delete(struct store *store, const char *id)
{
	return sqlite_transaction(store, delete_unused, id);
}

void sqlite_organisation_ops(struct store_ops *ops)
{
	ops->organisation_insert = organisation_insert;
	ops->organisation_get = organisation_get;
	ops->organisation_list = organisation_list;
	ops->organisation_update = organisation_update;
	ops->organisation_delete = organisation_delete;
}
