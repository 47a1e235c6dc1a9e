/* The PostgreSQL back end, assembled: opening the store (connecting, then running the
 * migrations under an advisory lock so that nodes starting together apply each one exactly
 * once), closing it, readiness, and its table of data operations — the shared ones
 * (store/shared/) and the two written for PostgreSQL (pg_batches.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/backends.h"
#include "store/migration.h"
#include "store/postgres/pg_bus.h"
#include "store/postgres/pg_driver.h"
#include "store/postgres/pg_ops.h"
#include "store/shared/shared_ops.h"
#include "util/log.h"

/* The key of the advisory lock held while migrations run (any constant shared by all nodes). */
#define PG_MIGRATION_LOCK_KEY "4242001"

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
	struct pg_store *s = (struct pg_store *)store;
	pg_bus_stop(s);
	for (unsigned i = 0; i < s->connection_count; i++)
		pg_connection_drop(&s->connections[i]);
	free(s->connections);
	free(s->url);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->available);
	free(s);
}

static const char SQL_PING[] = "SELECT 1";

/* Ready: a pooled connection answers, and the cross-node listener is connected. */
static enum store_result pg_ping(struct store *store)
{
	if (!pg_bus_listening((struct pg_store *)store))
		return STORE_UNAVAILABLE;
	return sql_write(store, SQL_PING, NULL, false);
}

// clang-format off
const struct store_ops pg_store_ops = {
	SHARED_STORE_OPS
	.ping = pg_ping,
	.camera_get_many = pg_camera_get_many,
	.camera_heartbeats_write = pg_camera_heartbeats_write,
};
// clang-format on

struct store *pg_store_open(const char *url, unsigned connections)
{
	if (connections == 0)
		connections = 1;
	struct pg_store *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->sql.driver = &pg_driver;
	s->sql.base = (struct store){.ops = &pg_store_ops,
	                             .messages = &pg_messages,
	                             .capabilities = {.reads_are_remote = true, .shared_by_nodes = true},
	                             .close = pg_store_close};
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
		pg_store_close(&s->sql.base);
		return NULL;
	}
	s->connection_count = connections;
	if (uuid_generate_text(s->node_id) != 0) {
		pg_store_close(&s->sql.base);
		return NULL;
	}
	char error[512];
	PGconn *first = pg_connect(url, error, sizeof(error));
	if (first == NULL) {
		log_error("postgres: cannot connect: %s", error);
		pg_store_close(&s->sql.base);
		return NULL;
	}
	s->connections[0].conn = first;
	if (run_migrations(first) != 0) {
		pg_store_close(&s->sql.base);
		return NULL;
	}
	/* The other connections open on first use (pg_acquire), so a pool larger than the load
	 * costs nothing at start. */
	for (unsigned i = connections; i-- > 0;) {
		s->connections[i].base.driver = &pg_driver;
		s->connections[i].store = s;
		s->connections[i].next_free = s->free_list;
		s->free_list = &s->connections[i];
	}
	return &s->sql.base;
}
