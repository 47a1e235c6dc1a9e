/* A schema migration compiled into the binary: version, name and the SQL to run once. */
#ifndef CAMFLEET_STORE_MIGRATION_H
#define CAMFLEET_STORE_MIGRATION_H

struct migration {
	int version;
	const char *name;
	const char *sql;
};

/* SQLite's migrations in version order, ending with {0, NULL, NULL}. */
extern const struct migration sqlite_migrations[];
/* PostgreSQL's, likewise. */
extern const struct migration postgres_migrations[];

#endif
