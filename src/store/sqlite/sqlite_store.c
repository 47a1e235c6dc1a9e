/* The SQLite back end, assembled: opening the database file (the server's lock on it, the
 * connections, the migrations), closing it, and its table of data operations — the shared ones
 * (store/shared/) and the two written for SQLite (sqlite_batches.c). A SQLite file has one
 * server, so there is no other node to send messages to. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "store/backends.h"
#include "store/camera_cache.h"
#include "store/migration.h"
#include "store/shared/shared_ops.h"
#include "store/sqlite/sqlite_driver.h"
#include "store/sqlite/sqlite_ops.h"
#include "util/log.h"

/* Budget of the server's camera cache: about 190,000 cameras with short names (a compact row is
 * about 170 bytes), so that a 100,000-camera fleet is read from memory. */
#define CAMERA_CACHE_BYTES ((size_t)32 << 20)

static int run_migrations(sqlite3 *db)
{
	char *error = NULL;
	if (sqlite3_exec(
	        db,
	        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
	        " applied_at INTEGER NOT NULL)",
	        NULL, NULL, &error) != SQLITE_OK) {
		log_error("sqlite: cannot create schema_migrations: %s", error);
		sqlite3_free(error);
		return -1;
	}
	for (const struct migration *m = sqlite_migrations; m->sql != NULL; m++) {
		if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &error) != SQLITE_OK) {
			log_error("sqlite: migration %s: %s", m->name, error);
			sqlite3_free(error);
			return -1;
		}
		sqlite3_stmt *check = NULL;
		int applied = 0;
		if (sqlite3_prepare_v2(db, "SELECT 1 FROM schema_migrations WHERE version = ?", -1, &check, NULL) ==
		    SQLITE_OK) {
			sqlite3_bind_int(check, 1, m->version);
			applied = sqlite3_step(check) == SQLITE_ROW;
		}
		sqlite3_finalize(check);
		if (!applied) {
			char record[256];
			snprintf(
			    record, sizeof(record),
			    "INSERT INTO schema_migrations(version, name, applied_at) VALUES (%d, '%s', unixepoch())",
			    m->version, m->name);
			if (sqlite3_exec(db, m->sql, NULL, NULL, &error) != SQLITE_OK ||
			    sqlite3_exec(db, record, NULL, NULL, &error) != SQLITE_OK) {
				log_error("sqlite: migration %s failed: %s", m->name, error);
				sqlite3_free(error);
				sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
				return -1;
			}
			log_info("sqlite: applied migration %s", m->name);
		}
		if (sqlite3_exec(db, "COMMIT", NULL, NULL, &error) != SQLITE_OK) {
			log_error("sqlite: migration %s commit: %s", m->name, error);
			sqlite3_free(error);
			return -1;
		}
	}
	return 0;
}

static void sqlite_store_close(struct store *store)
{
	struct sqlite_store *s = (struct sqlite_store *)store;
	for (unsigned i = 0; i < s->connection_count; i++)
		sqlite_connection_close(&s->connections[i]);
	free(s->connections);
	if (s->server_lock_fd >= 0)
		close(s->server_lock_fd); /* after the connections: closing it drops this process's locks */
	camera_cache_free(store->camera_cache);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->available);
	pthread_mutex_destroy(&s->write_lock);
	free(s);
}

static const char SQL_PING[] = "SELECT 1";

static enum store_result sqlite_ping(struct store *store)
{
	return sql_get(store, SQL_PING, NULL, NULL, NULL);
}

/* One node per SQLite file: there is no other node to tell. */
static enum store_result publish_to_nobody(struct store *store, const char *message)
{
	(void)store;
	(void)message;
	return STORE_OK;
}

static int subscribe_to_nobody(struct store *store, store_message_fn deliver, void *context)
{
	(void)store;
	(void)deliver;
	(void)context;
	return 0;
}

static void unsubscribe_from_nobody(struct store *store)
{
	(void)store;
}

static const struct store_messages single_node = {
    .publish = publish_to_nobody,
    .subscribe = subscribe_to_nobody,
    .unsubscribe = unsubscribe_from_nobody,
};

// clang-format off
const struct store_ops sqlite_store_ops = {
	SHARED_STORE_OPS
	.ping = sqlite_ping,
	.camera_get_many = sqlite_camera_get_many,
	.camera_heartbeats_write = sqlite_camera_heartbeats_write,
};
// clang-format on

/* The pool's mutex and condition and the write lock: 0, or -1 with none of them left initialised. */
static int init_locks(struct sqlite_store *s)
{
	if (pthread_mutex_init(&s->lock, NULL) != 0)
		return -1;
	if (pthread_cond_init(&s->available, NULL) != 0)
		goto no_available;
	if (pthread_mutex_init(&s->write_lock, NULL) != 0)
		goto no_write_lock;
	return 0;
no_write_lock:
	pthread_cond_destroy(&s->available);
no_available:
	pthread_mutex_destroy(&s->lock);
	return -1;
}

/* Makes this process the file's only server, before it touches the database (migrations
 * included): an exclusive flock(2) on the database file (created empty when new, which SQLite
 * takes as a new database), held until the store closes. SQLite's own locks are fcntl(2) locks,
 * which flock does not touch. Tools (`camfleet admin`) take no lock and may run beside it. */
static int lock_for_server(struct sqlite_store *s, const char *path)
{
	s->server_lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (s->server_lock_fd < 0) {
		log_error("sqlite: cannot open %s to lock it: %s", path, strerror(errno));
		return -1;
	}
	if (flock(s->server_lock_fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			log_error("sqlite: %s is in use by another camfleet serve; a SQLite database has one server"
			          " (use PostgreSQL for several)",
			          path);
		else
			log_error("sqlite: cannot lock %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

struct store *sqlite_store_open(const char *path, unsigned connections, enum store_user user)
{
	if (connections == 0)
		connections = 1;
	struct sqlite_store *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->sql.driver = &sqlite_driver;
	s->sql.base = (struct store){.ops = &sqlite_store_ops, .messages = &single_node, .close = sqlite_store_close};
	s->server_lock_fd = -1;
	if (init_locks(s) != 0) {
		free(s);
		return NULL;
	}
	struct store *store = &s->sql.base;
	s->connections = calloc(connections, sizeof(*s->connections));
	if (s->connections == NULL) {
		sqlite_store_close(store);
		return NULL;
	}
	s->connection_count = connections;
	if (user == STORE_USER_SERVER &&
	    (lock_for_server(s, path) != 0 || (store->camera_cache = camera_cache_new(CAMERA_CACHE_BYTES)) == NULL)) {
		sqlite_store_close(store);
		return NULL;
	}
	for (unsigned i = 0; i < connections; i++) {
		if (sqlite_connection_open(&s->connections[i], path, &s->write_lock) != 0 ||
		    (i == 0 && run_migrations(s->connections[0].db) != 0)) {
			sqlite_store_close(store);
			return NULL;
		}
		s->connections[i].next_free = s->free_list;
		s->free_list = &s->connections[i];
	}
	return store;
}
