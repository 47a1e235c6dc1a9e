/* The store contract test's fixture and entry point: every area's tests run as one cmocka group per
 * back end — a SQLite file in a temporary folder opened as a server (with its camera cache) and as a
 * tool, and a PostgreSQL database created for the run on the cluster named by $CAMFLEET_TEST_POSTGRES
 * (dropped at the end). Without that variable the PostgreSQL group is reported as skipped, or fails
 * when $CAMFLEET_REQUIRE_POSTGRES=1 (scripts/test.sh sets both). */
#include "contract.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "util/log.h"

#define CONTRACT_CONNECTIONS 4
#define DATABASE_NAME_MAX    63 /* PostgreSQL's identifier length */
#define STORE_URL_MAX        1024

struct contract_backend {
	enum contract_backend_kind kind;
	const char *name;
	struct store *store;
	char folder[PATH_MAX];                        /* SQLite: the temporary folder of the files */
	char database[DATABASE_NAME_MAX + 1];         /* PostgreSQL: the group's database */
	struct store *scratch;                        /* contract_scratch_store()'s, or NULL */
	char scratch_path[PATH_MAX];                  /* SQLite: its file */
	char scratch_database[DATABASE_NAME_MAX + 1]; /* PostgreSQL: its database */
	unsigned scratch_serial;
};

static struct contract_backend *backend_of(void **state)
{
	assert_non_null(state);
	assert_non_null(*state);
	return *state;
}

struct store *contract_store(void **state)
{
	return backend_of(state)->store;
}

enum contract_backend_kind contract_kind(void **state)
{
	return backend_of(state)->kind;
}

/* ---- PostgreSQL: a database per group ------------------------------------------------------------- */

/* The cluster's URL from $CAMFLEET_TEST_POSTGRES; NULL when unset or empty. */
static const char *postgres_base_url(void)
{
	const char *url = getenv("CAMFLEET_TEST_POSTGRES");
	return url != NULL && url[0] != '\0' ? url : NULL;
}

/* Runs one command on the cluster's database; 0, or -1 with the reason printed. */
static int postgres_command(const char *sql)
{
	PGconn *connection = PQconnectdb(postgres_base_url());
	if (connection == NULL || PQstatus(connection) != CONNECTION_OK) {
		print_error("cannot connect to $CAMFLEET_TEST_POSTGRES: %s\n",
		            connection != NULL ? PQerrorMessage(connection) : "out of memory");
		PQfinish(connection);
		return -1;
	}
	PGresult *result = PQexec(connection, sql);
	int status = result != NULL && PQresultStatus(result) == PGRES_COMMAND_OK ? 0 : -1;
	if (status != 0)
		print_error("%s: %s\n", sql, PQerrorMessage(connection));
	PQclear(result);
	PQfinish(connection);
	return status;
}

/* The cluster's URL with its database replaced by database (the query part kept); 0, or -1 when
 * it does not fit out (size bytes) or has no host part. */
static int postgres_database_url(const char *database, char *out, size_t size)
{
	const char *base = postgres_base_url();
	const char *authority = strstr(base, "://");
	if (authority == NULL)
		return -1;
	authority += 3;
	size_t host_length = strcspn(authority, "/?");
	const char *query = strchr(authority + host_length, '?');
	int length = snprintf(out, size, "%.*s/%s%s", (int)(authority + host_length - base), base, database,
	                      query != NULL ? query : "");
	return length > 0 && (size_t)length < size ? 0 : -1;
}

/* Creates a database with a name no other run uses and opens a store on it; NULL when either fails. */
static struct store *postgres_open_new(struct contract_backend *backend, char name[DATABASE_NAME_MAX + 1])
{
	char random[UUID_BUFFER_SIZE];
	contract_new_id(random);
	random[8] = '\0';
	snprintf(name, DATABASE_NAME_MAX + 1, "contract_%ld_%u_%s", (long)getpid(), backend->scratch_serial++, random);
	char sql[128];
	snprintf(sql, sizeof(sql), "CREATE DATABASE \"%s\"", name);
	char url[STORE_URL_MAX];
	if (postgres_database_url(name, url, sizeof(url)) != 0) {
		print_error("$CAMFLEET_TEST_POSTGRES is not a postgres://HOST/DATABASE URL that fits %d bytes\n",
		            STORE_URL_MAX);
		name[0] = '\0';
		return NULL;
	}
	if (postgres_command(sql) != 0) {
		name[0] = '\0';
		return NULL;
	}
	return store_open(url, CONTRACT_CONNECTIONS, STORE_USER_SERVER);
}

static void postgres_drop(char name[DATABASE_NAME_MAX + 1])
{
	if (name[0] == '\0')
		return;
	char sql[128];
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", name);
	if (postgres_command(sql) != 0)
		print_error("could not drop the test database %s\n", name);
	name[0] = '\0';
}

/* ---- SQLite: files in a temporary folder ---------------------------------------------------------- */

static struct store *sqlite_open(const char *path, enum contract_backend_kind kind)
{
	char url[STORE_URL_MAX];
	int length = snprintf(url, sizeof(url), "sqlite:%s", path);
	if (length < 0 || (size_t)length >= sizeof(url))
		return NULL;
	enum store_user user = kind == CONTRACT_SQLITE_SERVER ? STORE_USER_SERVER : STORE_USER_TOOL;
	return store_open(url, CONTRACT_CONNECTIONS, user);
}

/* Removes the folder and every file in it (the databases and their -wal and -shm files). */
static void remove_folder(const char *folder)
{
	DIR *directory = opendir(folder);
	if (directory == NULL)
		return;
	struct dirent *entry;
	while ((entry = readdir(directory)) != NULL) {
		if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
			continue;
		char path[PATH_MAX];
		int length = snprintf(path, sizeof(path), "%s/%s", folder, entry->d_name);
		if (length > 0 && (size_t)length < sizeof(path))
			unlink(path);
	}
	closedir(directory);
	rmdir(folder);
}

/* ---- scratch stores -------------------------------------------------------------------------------- */

static void scratch_close(struct contract_backend *backend)
{
	store_close(backend->scratch);
	backend->scratch = NULL;
	postgres_drop(backend->scratch_database);
}

struct store *contract_scratch_store(void **state)
{
	struct contract_backend *backend = backend_of(state);
	scratch_close(backend);
	if (backend->kind == CONTRACT_POSTGRES) {
		backend->scratch = postgres_open_new(backend, backend->scratch_database);
	} else {
		int length = snprintf(backend->scratch_path, sizeof(backend->scratch_path), "%s/scratch-%u.db",
		                      backend->folder, backend->scratch_serial++);
		assert_true(length > 0 && (size_t)length < sizeof(backend->scratch_path));
		backend->scratch = sqlite_open(backend->scratch_path, backend->kind);
	}
	if (backend->scratch == NULL)
		fail_msg("cannot open a scratch store on %s", backend->name);
	return backend->scratch;
}

/* ---- the groups ------------------------------------------------------------------------------------ */

static int teardown_backend(void **state)
{
	struct contract_backend *backend = *state;
	if (backend == NULL)
		return 0;
	scratch_close(backend);
	store_close(backend->store);
	postgres_drop(backend->database);
	if (backend->folder[0] != '\0')
		remove_folder(backend->folder);
	free(backend);
	*state = NULL;
	return 0;
}

static int setup_backend(void **state, enum contract_backend_kind kind, const char *name)
{
	struct contract_backend *backend = calloc(1, sizeof(*backend));
	if (backend == NULL)
		return -1;
	backend->kind = kind;
	backend->name = name;
	*state = backend;
	if (kind == CONTRACT_POSTGRES) {
		backend->store = postgres_open_new(backend, backend->database);
	} else {
		snprintf(backend->folder, sizeof(backend->folder), "/tmp/camfleet-contract-XXXXXX");
		if (mkdtemp(backend->folder) == NULL) {
			backend->folder[0] = '\0';
			teardown_backend(state);
			return -1;
		}
		char path[PATH_MAX];
		int length = snprintf(path, sizeof(path), "%s/store.db", backend->folder);
		if (length > 0 && (size_t)length < sizeof(path))
			backend->store = sqlite_open(path, kind);
	}
	if (backend->store == NULL) {
		print_error("cannot open the %s store\n", name);
		teardown_backend(state);
		return -1;
	}
	return 0;
}

static int setup_sqlite_server(void **state)
{
	return setup_backend(state, CONTRACT_SQLITE_SERVER, "SQLite (server)");
}

static int setup_sqlite_tool(void **state)
{
	return setup_backend(state, CONTRACT_SQLITE_TOOL, "SQLite (tool)");
}

static int setup_postgres(void **state)
{
	return setup_backend(state, CONTRACT_POSTGRES, "PostgreSQL");
}

/* The PostgreSQL group when no cluster was named: skipped, or failed when one is required. */
static void test_postgres_is_configured(void **state)
{
	const char *require = getenv("CAMFLEET_REQUIRE_POSTGRES");
	if (require != NULL && strcmp(require, "1") == 0)
		fail_msg("CAMFLEET_REQUIRE_POSTGRES=1 but CAMFLEET_TEST_POSTGRES is not set: the PostgreSQL half of "
		         "the store contract did not run");
	print_message("PostgreSQL group skipped: to run it, start a cluster (bash scripts/pg-cluster.sh start "
	              "/tmp/pg-test prints its URL) and set CAMFLEET_TEST_POSTGRES=postgres://postgres@127.0.0.1:PORT/"
	              "postgres\n");
	skip();
}

int main(void)
{
	log_set_level(LOG_WARN); /* migrations log each step at INFO */
	const struct contract_tests areas[] = {
	    contract_directory_tests(),   contract_people_tests(),   contract_token_tests(),
	    contract_hours_tests(),       contract_camera_tests(),   contract_lifecycle_tests(),
	    contract_device_tests(),      contract_async_tests(),    contract_event_tests(),
	    contract_event_list_tests(),  contract_alert_tests(),    contract_async_batch_tests(),
	    contract_fleet_count_tests(), contract_position_tests(), contract_refresh_token_tests(),
	};
	size_t total = 0;
	for (size_t i = 0; i < sizeof(areas) / sizeof(areas[0]); i++)
		total += areas[i].count;
	struct CMUnitTest *tests = calloc(total, sizeof(*tests));
	if (tests == NULL)
		return 1;
	size_t next = 0;
	for (size_t i = 0; i < sizeof(areas) / sizeof(areas[0]); i++)
		for (size_t k = 0; k < areas[i].count; k++)
			tests[next++] = areas[i].tests[k];

	int failures = 0;
	failures += _cmocka_run_group_tests("store contract: SQLite (server)", tests, total, setup_sqlite_server,
	                                    teardown_backend);
	failures +=
	    _cmocka_run_group_tests("store contract: SQLite (tool)", tests, total, setup_sqlite_tool, teardown_backend);
	if (postgres_base_url() != NULL) {
		failures += _cmocka_run_group_tests("store contract: PostgreSQL", tests, total, setup_postgres,
		                                    teardown_backend);
	} else {
		const struct CMUnitTest not_configured[] = {cmocka_unit_test(test_postgres_is_configured)};
		failures += cmocka_run_group_tests_name("store contract: PostgreSQL", not_configured, NULL, NULL);
	}
	free(tests);
	return failures == 0 ? 0 : 1;
}
