/* PostgreSQL operations on organisations. Deleting one is refused (STORE_CONFLICT) while anything
 * still belongs to it; the check and the delete run in one transaction that first locks the
 * organisation's row, so rows added to it meanwhile either wait or are seen by the check. */
#include "store/postgres/pg_directory.h"

static const char SQL_ORGANISATION_INSERT[] = "INSERT INTO organisations(id, name, created_at) VALUES ($1, $2, $3)";
static const char SQL_ORGANISATION_GET[] = "SELECT id, name, created_at FROM organisations WHERE id = $1";
static const char SQL_ORGANISATION_LIST[] = "SELECT id, name, created_at FROM organisations ORDER BY created_at, id";
static const char SQL_ORGANISATION_UPDATE[] = "UPDATE organisations SET name = $1 WHERE id = $2";
/* Rows referring to the organisation wait on this lock (their foreign-key check) until we finish. */
static const char SQL_ORGANISATION_LOCK[] = "SELECT 1 FROM organisations WHERE id = $1 FOR UPDATE";
static const char SQL_ORGANISATION_IN_USE[] = "SELECT 1 WHERE EXISTS (SELECT 1 FROM sites WHERE organisation_id = $1)"
                                              " OR EXISTS (SELECT 1 FROM users WHERE organisation_id = $1)"
                                              " OR EXISTS (SELECT 1 FROM clients WHERE organisation_id = $1)"
                                              " OR EXISTS (SELECT 1 FROM cameras WHERE organisation_id = $1)";
/* Positions left over at sites already deleted (none expected); they would block the delete. */
static const char SQL_ORGANISATION_DELETE_POSITIONS[] = "DELETE FROM camera_positions WHERE organisation_id = $1";
static const char SQL_ORGANISATION_DELETE[] = "DELETE FROM organisations WHERE id = $1";

static void read_organisation(const PGresult *result, int row, void *out)
{
	struct organisation *organisation = out;
	pg_copy(result, row, 0, organisation->id, sizeof(organisation->id));
	pg_copy(result, row, 1, organisation->name, sizeof(organisation->name));
	organisation->created_at = pg_int64_or_zero(result, row, 2);
}

static enum store_result organisation_insert(struct store *store, const struct organisation *organisation)
{
	struct pg_params params = {0};
	pg_param_text(&params, organisation->id);
	pg_param_text(&params, organisation->name);
	pg_param_int64(&params, organisation->created_at);
	return pg_write(store, SQL_ORGANISATION_INSERT, &params, false);
}

static enum store_result organisation_get(struct store *store, const char *id, struct organisation *out)
{
	struct pg_params params = {0};
	pg_param_text(&params, id);
	return pg_get(store, SQL_ORGANISATION_GET, &params, read_organisation, out);
}

struct organisation_visit {
	organisation_row_fn row;
	void *context;
};

static int visit_organisation(void *context, const PGresult *result, int row)
{
	struct organisation_visit *visit = context;
	struct organisation organisation;
	read_organisation(result, row, &organisation);
	return visit->row(visit->context, &organisation);
}

static enum store_result organisation_list(struct store *store, organisation_row_fn row, void *context)
{
	struct organisation_visit visit = {row, context};
	return pg_each(store, SQL_ORGANISATION_LIST, NULL, visit_organisation, &visit);
}

static enum store_result organisation_update(struct store *store, const struct organisation *organisation)
{
	struct pg_params params = {0};
	pg_param_text(&params, organisation->name);
	pg_param_text(&params, organisation->id);
	return pg_write(store, SQL_ORGANISATION_UPDATE, &params, true);
}

/* Inside the transaction: STORE_NOT_FOUND when absent, conflict while in use, else deletes. */
static enum store_result delete_unused(struct pg_connection *connection, const void *context)
{
	struct pg_params params = {0};
	pg_param_text(&params, context);
	enum store_result result = pg_fetch_one(connection, SQL_ORGANISATION_LOCK, &params, NULL, NULL);
	if (result != STORE_OK)
		return result;
	result = pg_fetch_one(connection, SQL_ORGANISATION_IN_USE, &params, NULL, NULL);
	if (result == STORE_OK)
		return STORE_CONFLICT;
	if (result != STORE_NOT_FOUND)
		return result;
	result = pg_change(connection, SQL_ORGANISATION_DELETE_POSITIONS, &params, false);
	if (result != STORE_OK)
		return result;
	return pg_change(connection, SQL_ORGANISATION_DELETE, &params, true);
}

static enum store_result organisation_delete(struct store *store, const char *id)
{
	return pg_transaction(store, delete_unused, id);
}

void pg_organisation_ops(struct store_ops *ops)
{
	ops->organisation_insert = organisation_insert;
	ops->organisation_get = organisation_get;
	ops->organisation_list = organisation_list;
	ops->organisation_update = organisation_update;
	ops->organisation_delete = organisation_delete;
}
