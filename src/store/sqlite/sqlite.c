/* SQLite back end: opening the database (WAL, synchronous=FULL so an acknowledged write
 * survives a crash), running migrations, and the pool of connections with their caches of
 * prepared statements. The operations themselves live in sqlite_*.c beside this file. */
#include "store/sqlite/sqlite_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "store/camera_cache.h"
#include "store/migration.h"
#include "util/log.h"

struct sqlite_store {
	struct store base; /* first member: a struct store * is a struct sqlite_store * */
	pthread_mutex_t lock;
	pthread_cond_t available;
	pthread_mutex_t write_lock;
	struct sqlite_connection *free_list;
	struct sqlite_connection *connections;
	unsigned connection_count;
	/* A server's only: the lock that makes it the file's one server, and its camera rows. */
	int server_lock_fd; /* -1 for a tool */
	struct camera_cache *cameras;
};

/* Budget of the server's camera cache: about 50,000 cameras with short names. */
#define CAMERA_CACHE_BYTES ((size_t)16 << 20)

static struct sqlite_store *as_sqlite(struct store *store)
{
	return (struct sqlite_store *)store;
}

struct camera_cache *sqlite_camera_cache(struct store *store)
{
	return as_sqlite(store)->cameras;
}

void sqlite_camera_changed(struct store *store, const char *camera_id)
{
	struct camera_cache *cameras = as_sqlite(store)->cameras;
	if (cameras != NULL)
		camera_cache_forget(cameras, camera_id);
}

struct sqlite_connection *sqlite_acquire(struct store *store)
{
	struct sqlite_store *s = as_sqlite(store);
	pthread_mutex_lock(&s->lock);
	while (s->free_list == NULL)
		pthread_cond_wait(&s->available, &s->lock);
	struct sqlite_connection *connection = s->free_list;
	s->free_list = connection->next_free;
	pthread_mutex_unlock(&s->lock);
	return connection;
}

void sqlite_release(struct store *store, struct sqlite_connection *connection)
{
	struct sqlite_store *s = as_sqlite(store);
	pthread_mutex_lock(&s->lock);
	connection->next_free = s->free_list;
	s->free_list = connection;
	pthread_cond_signal(&s->available);
	pthread_mutex_unlock(&s->lock);
}

sqlite3_stmt *sqlite_statement(struct sqlite_connection *connection, const char *sql)
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
			int rc = sqlite3_prepare_v3(connection->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &entry->statement,
						    NULL);
			if (rc != SQLITE_OK) {
				log_error("sqlite: cannot prepare statement: %s (%s)", sqlite3_errmsg(connection->db), sql);
				entry->statement = NULL;
				return NULL;
			}
			entry->sql = sql;
			return entry->statement;
		}
	}
	log_error("sqlite: statement cache full");
	return NULL;
}

enum store_result sqlite_fail(struct sqlite_connection *connection, const char *context, int code)
{
	int primary = code & 0xff;
	if (primary == SQLITE_CONSTRAINT)
		return STORE_CONFLICT;
	log_error("sqlite: %s: %s (code %d)", context, sqlite3_errmsg(connection->db), code);
	if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_CANTOPEN)
		return STORE_UNAVAILABLE;
	return STORE_ERROR;
}

static enum store_result exec_simple(struct sqlite_connection *connection, const char *sql)
{
	sqlite3_stmt *statement = sqlite_statement(connection, sql);
	if (statement == NULL)
		return STORE_ERROR;
	int rc = sqlite3_step(statement);
	sqlite3_reset(statement);
	if (rc != SQLITE_DONE)
		return sqlite_fail(connection, sql, rc);
	return STORE_OK;
}

static const char SQL_BEGIN[] = "BEGIN IMMEDIATE";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";

/* Write transactions of this process queue on the store's write lock (in arrival order) instead
 * of on SQLite's busy handler, whose growing sleeps would give writers long, unfair waits. */
static void release_write_lock(struct sqlite_connection *connection)
{
	if (connection->holds_write_lock) {
		connection->holds_write_lock = false;
		pthread_mutex_unlock(connection->write_lock);
	}
}

enum store_result sqlite_begin(struct sqlite_connection *connection)
{
	pthread_mutex_lock(connection->write_lock);
	connection->holds_write_lock = true;
	enum store_result result = exec_simple(connection, SQL_BEGIN);
	if (result != STORE_OK)
		release_write_lock(connection);
	return result;
}

enum store_result sqlite_commit_then(struct sqlite_connection *connection, void (*committed)(void *context),
                                     void *context)
{
	enum store_result result = exec_simple(connection, SQL_COMMIT);
	if (result != STORE_OK)
		sqlite_rollback(connection);
	else if (committed != NULL)
		committed(context);
	release_write_lock(connection);
	return result;
}

enum store_result sqlite_commit(struct sqlite_connection *connection)
{
	return sqlite_commit_then(connection, NULL, NULL);
}

enum store_result sqlite_finish(struct sqlite_connection *connection, enum store_result result)
{
	if (result == STORE_OK)
		return sqlite_commit(connection);
	sqlite_rollback(connection);
	return result;
}

void sqlite_rollback(struct sqlite_connection *connection)
{
	if (!sqlite3_get_autocommit(connection->db) && exec_simple(connection, SQL_ROLLBACK) != STORE_OK)
		log_error("sqlite: rollback failed");
	release_write_lock(connection);
}

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

enum store_result sqlite_run(struct sqlite_connection *connection, sqlite3_stmt *statement, const char *context)
{
	int rc = sqlite3_step(statement);
	sqlite3_reset(statement);
	if (rc != SQLITE_DONE)
		return sqlite_fail(connection, context, rc);
	return STORE_OK;
}

int sqlite_bind_text_or_null(sqlite3_stmt *statement, int index, const char *text)
{
	if (text == NULL || text[0] == '\0')
		return sqlite3_bind_null(statement, index);
	return sqlite3_bind_text(statement, index, text, -1, SQLITE_TRANSIENT);
}

int sqlite_bind_text(sqlite3_stmt *statement, int index, const char *text)
{
	return sqlite3_bind_text(statement, index, text, -1, SQLITE_TRANSIENT);
}

int sqlite_bind_time_or_null(sqlite3_stmt *statement, int index, int64_t epoch_seconds)
{
	if (epoch_seconds == 0)
		return sqlite3_bind_null(statement, index);
	return sqlite3_bind_int64(statement, index, epoch_seconds);
}

bool sqlite_column_copy(sqlite3_stmt *statement, int column, char *out, size_t size)
{
	const unsigned char *text = sqlite3_column_text(statement, column);
	if (text == NULL) {
		out[0] = '\0';
		return false;
	}
	size_t length = (size_t)sqlite3_column_bytes(statement, column);
	if (length >= size)
		length = size - 1;
	memcpy(out, text, length);
	out[length] = '\0';
	return true;
}

int64_t sqlite_column_int64_or_zero(sqlite3_stmt *statement, int column)
{
	return sqlite3_column_type(statement, column) == SQLITE_NULL ? 0 : sqlite3_column_int64(statement, column);
}

static const char *const camera_state_names[CAMERA_STATE_COUNT] = {"registered", "running", "paused",
								    "decommissioned"};

const char *sqlite_camera_state_name(enum camera_state state)
{
	return camera_state_names[state];
}

enum camera_state sqlite_camera_state_from_name(const char *name)
{
	for (int i = 0; i < CAMERA_STATE_COUNT; i++)
		if (strcmp(name, camera_state_names[i]) == 0)
			return (enum camera_state)i;
	return CAMERA_REGISTERED;
}

/* Before SQLite's first use: no memory statistics, which would take a global mutex on every
 * allocation of every connection (camfleet never reads them). */
static void configure_library(void)
{
	int rc = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (rc != SQLITE_OK) /* SQLite was initialised already (e.g. by a test): harmless */
		log_debug("sqlite: memory statistics stay on: %s", sqlite3_errstr(rc));
}

static int open_connection(const char *path, sqlite3 **out)
{
	static pthread_once_t configured = PTHREAD_ONCE_INIT;
	pthread_once(&configured, configure_library);
	int rc = sqlite3_open_v2(path, out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		log_error("sqlite: cannot open %s: %s", path, *out ? sqlite3_errmsg(*out) : sqlite3_errstr(rc));
		return -1;
	}
	sqlite3_busy_handler(*out, busy_wait, NULL);
	char *error = NULL;
	rc = sqlite3_exec(*out,
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

static int run_migrations(sqlite3 *db)
{
	char *error = NULL;
	if (sqlite3_exec(db,
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
			snprintf(record, sizeof(record),
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
	struct sqlite_store *s = as_sqlite(store);
	for (unsigned i = 0; i < s->connection_count; i++) {
		struct sqlite_connection *connection = &s->connections[i];
		for (size_t slot = 0; slot < SQLITE_STATEMENT_SLOTS; slot++)
			if (connection->slots[slot].statement != NULL)
				sqlite3_finalize(connection->slots[slot].statement);
		if (connection->db != NULL)
			sqlite3_close(connection->db);
	}
	free(s->connections);
	if (s->server_lock_fd >= 0)
		close(s->server_lock_fd); /* after the connections: closing it drops this process's locks */
	camera_cache_free(s->cameras);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->available);
	pthread_mutex_destroy(&s->write_lock);
	free(s);
}

static enum store_result sqlite_camera_cache_usage(struct store *store, struct camera_cache_usage *out)
{
	struct camera_cache *cameras = as_sqlite(store)->cameras;
	if (cameras == NULL)
		return STORE_NOT_FOUND;
	camera_cache_usage(cameras, out);
	return STORE_OK;
}

static const char SQL_PING[] = "SELECT 1";

static enum store_result sqlite_store_ping(struct store *store)
{
	struct sqlite_connection *connection = sqlite_acquire(store);
	sqlite3_stmt *statement = sqlite_statement(connection, SQL_PING);
	enum store_result result = STORE_ERROR;
	if (statement != NULL) {
		int rc = sqlite3_step(statement);
		result = rc == SQLITE_ROW ? STORE_OK : sqlite_fail(connection, "ping", rc);
		sqlite3_reset(statement);
	}
	sqlite_release(store, connection);
	return result;
}

/* One node per SQLite file: there is no other node to tell. */
static enum store_result sqlite_publish(struct store *store, const char *message)
{
	(void)store;
	(void)message;
	return STORE_OK;
}

static int sqlite_subscribe(struct store *store, store_message_fn deliver, void *context)
{
	(void)store;
	(void)deliver;
	(void)context;
	return 0;
}

static void sqlite_unsubscribe(struct store *store)
{
	(void)store;
}

static struct store_ops sqlite_ops;
static pthread_once_t sqlite_ops_once = PTHREAD_ONCE_INIT;

static void build_ops(void)
{
	sqlite_ops.close = sqlite_store_close;
	sqlite_ops.ping = sqlite_store_ping;
	sqlite_ops.camera_cache_usage = sqlite_camera_cache_usage;
	sqlite_directory_ops(&sqlite_ops);
	sqlite_camera_ops(&sqlite_ops);
	sqlite_async_ops(&sqlite_ops);
	sqlite_opening_hours_ops(&sqlite_ops);
	sqlite_device_ops(&sqlite_ops);
	sqlite_ops.publish = sqlite_publish;
	sqlite_ops.subscribe = sqlite_subscribe;
	sqlite_ops.unsubscribe = sqlite_unsubscribe;
}

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
			          " (use PostgreSQL for several)", path);
		else
			log_error("sqlite: cannot lock %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

struct store *sqlite_store_open(const char *path, unsigned connections, enum store_user user);

struct store *sqlite_store_open(const char *path, unsigned connections, enum store_user user)
{
	pthread_once(&sqlite_ops_once, build_ops);
	if (connections == 0)
		connections = 1;
	struct sqlite_store *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->base.ops = &sqlite_ops;
	s->server_lock_fd = -1;
	if (init_locks(s) != 0) {
		free(s);
		return NULL;
	}
	s->connections = calloc(connections, sizeof(*s->connections));
	if (s->connections == NULL) {
		sqlite_store_close(&s->base);
		return NULL;
	}
	s->connection_count = connections;
	if (user == STORE_USER_SERVER &&
	    (lock_for_server(s, path) != 0 || (s->cameras = camera_cache_new(CAMERA_CACHE_BYTES)) == NULL)) {
		sqlite_store_close(&s->base);
		return NULL;
	}
	for (unsigned i = 0; i < connections; i++) {
		if (open_connection(path, &s->connections[i].db) != 0) {
			sqlite_store_close(&s->base);
			return NULL;
		}
		if (i == 0 && run_migrations(s->connections[0].db) != 0) {
			sqlite_store_close(&s->base);
			return NULL;
		}
		s->connections[i].write_lock = &s->write_lock;
		s->connections[i].next_free = s->free_list;
		s->free_list = &s->connections[i];
	}
	return &s->base;
}
