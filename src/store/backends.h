/* How each back end is opened, and its table of data operations; store.c chooses between them
 * by the database URL. */
#ifndef CAMFLEET_STORE_BACKENDS_H
#define CAMFLEET_STORE_BACKENDS_H

#include "store/store.h"

/* A SQLite file at path (created when new). */
struct store *sqlite_store_open(const char *path, unsigned connections, enum store_user user);
/* A PostgreSQL database at url (a libpq URI); user does not matter there. */
struct store *pg_store_open(const char *url, unsigned connections);
/* store_schema_exists for each back end (sqlite/sqlite_probe.c, postgres/pg_probe.c). */
enum store_result sqlite_store_schema_exists(const char *path, bool *exists) __attribute__((warn_unused_result));
enum store_result pg_store_schema_exists(const char *url, bool *exists) __attribute__((warn_unused_result));

extern const struct store_ops sqlite_store_ops;
extern const struct store_ops pg_store_ops;

#endif
