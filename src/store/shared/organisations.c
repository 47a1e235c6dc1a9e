/* Operations on organisations. Deleting one is refused (STORE_CONFLICT) while anything
 * still belongs to it; the check and the delete run in one transaction that first locks the
 * organisation's row, so rows added to it meanwhile either wait or are seen by the check. */
#include "store/shared/shared_ops.h"

static const char SQL_ORGANISATION_INSERT[] = "INSERT INTO organisations(id, name, created_at) VALUES ($1, $2, $3)";
static const char SQL_ORGANISATION_GET[] = "SELECT id, name, created_at FROM organisations WHERE id = $1";
static const char SQL_ORGANISATION_LIST[] = "SELECT id, name, created_at FROM organisations ORDER BY created_at, id";
static const char SQL_ORGANISATION_UPDATE[] = "UPDATE organisations SET name = $1 WHERE id = $2";
/* Rows referring to the organisation wait on this lock (their foreign-key check) until we finish. */
static const char *const SQL_ORGANISATION_LOCK[] =
    SQL_LOCKING("SELECT 1 FROM organisations WHERE id = $1", " FOR UPDATE");
static const char SQL_ORGANISATION_IN_USE[] = "SELECT 1 WHERE EXISTS (SELECT 1 FROM sites WHERE organisation_id = $1)"
                                              " OR EXISTS (SELECT 1 FROM users WHERE organisation_id = $1)"
                                              " OR EXISTS (SELECT 1 FROM clients WHERE organisation_id = $1)"
                                              " OR EXISTS (SELECT 1 FROM cameras WHERE organisation_id = $1)";
/* Positions left over at sites already deleted (none expected); they would block the delete. */
static const char SQL_ORGANISATION_DELETE_POSITIONS[] = "DELETE FROM camera_positions WHERE organisation_id = $1";
static const char SQL_ORGANISATION_DELETE[] = "DELETE FROM organisations WHERE id = $1";

static void read_organisation(const struct sql_row *row, void *out)
{
	struct organisation *organisation = out;
	sql_text(row, 0, organisation->id, sizeof(organisation->id));
	sql_text(row, 1, organisation->name, sizeof(organisation->name));
	organisation->created_at = sql_int64(row, 2);
}

enum store_result shared_organisation_insert(struct store *store, const struct organisation *organisation)
{
	struct sql_params params = {0};
	sql_param_text(&params, organisation->id);
	sql_param_text(&params, organisation->name);
	sql_param_int64(&params, organisation->created_at);
	return sql_write(store, SQL_ORGANISATION_INSERT, &params, false);
}

enum store_result shared_organisation_get(struct store *store, const char *id, struct organisation *out)
{
	struct sql_params params = {0};
	sql_param_text(&params, id);
	return sql_get(store, SQL_ORGANISATION_GET, &params, read_organisation, out);
}

struct organisation_visit {
	organisation_row_fn row;
	void *context;
};

static int visit_organisation(void *context, const struct sql_row *row)
{
	struct organisation_visit *visit = context;
	struct organisation organisation;
	read_organisation(row, &organisation);
	return visit->row(visit->context, &organisation);
}

enum store_result shared_organisation_list(struct store *store, organisation_row_fn row, void *context)
{
	struct organisation_visit visit = {row, context};
	return sql_each(store, SQL_ORGANISATION_LIST, NULL, visit_organisation, &visit);
}

enum store_result shared_organisation_update(struct store *store, const struct organisation *organisation)
{
	struct sql_params params = {0};
	sql_param_text(&params, organisation->name);
	sql_param_text(&params, organisation->id);
	return sql_write(store, SQL_ORGANISATION_UPDATE, &params, true);
}

/* Inside the transaction: STORE_NOT_FOUND when absent, conflict while in use, else deletes. */
static enum store_result delete_unused(struct sql_connection *connection, const void *context)
{
	struct sql_params params = {0};
	sql_param_text(&params, context);
	enum store_result result =
	    sql_fetch_one(connection, sql_for(connection, SQL_ORGANISATION_LOCK), &params, NULL, NULL);
	if (result != STORE_OK)
		return result;
	result = sql_fetch_one(connection, SQL_ORGANISATION_IN_USE, &params, NULL, NULL);
	if (result == STORE_OK)
		return STORE_CONFLICT;
	if (result != STORE_NOT_FOUND)
		return result;
	result = sql_change(connection, SQL_ORGANISATION_DELETE_POSITIONS, &params, false);
	if (result != STORE_OK)
		return result;
	return sql_change(connection, SQL_ORGANISATION_DELETE, &params, true);
}

enum store_result shared_organisation_delete(struct store *store, const char *id)
{
	return sql_transaction(store, delete_unused, id);
}
