/* Private to the PostgreSQL directory back end (organisations, sites, users, clients, signing
 * keys, opening hours): the per-entity operation tables that pg_directory_ops() joins, and small
 * helpers for running statements and reading rows that these files share. */
#ifndef CAMFLEET_STORE_PG_DIRECTORY_H
#define CAMFLEET_STORE_PG_DIRECTORY_H

#include <stdbool.h>

#include "store/postgres/pg_internal.h"

void pg_organisation_ops(struct store_ops *ops); /* pg_organisations.c */
void pg_site_ops(struct store_ops *ops);         /* pg_sites.c */
void pg_user_ops(struct store_ops *ops);         /* pg_users.c, incl. granted sites */
void pg_client_ops(struct store_ops *ops);       /* pg_clients.c */

/* Reads row `row` of result into out (a struct of the caller's choosing). */
typedef void (*pg_directory_reader)(const PGresult *result, int row, void *out);

/* On a connection: runs a query that returns at most one row; STORE_OK after read(result, 0, out)
 * on a row (read may be NULL to test existence only), STORE_NOT_FOUND without one, or pg_query's
 * failure. */
enum store_result pg_directory_fetch_one(struct pg_connection *connection, const char *sql,
                                         const struct pg_params *params, pg_directory_reader read, void *out)
    __attribute__((warn_unused_result));

/* On a connection: runs a statement that writes rows; with changing, STORE_NOT_FOUND when it
 * changed none. */
enum store_result pg_directory_change(struct pg_connection *connection, const char *sql, const struct pg_params *params,
                                      bool changing) __attribute__((warn_unused_result));

/* The same three on a pooled connection taken and given back around the call
 * (STORE_UNAVAILABLE when none can be had). */
enum store_result pg_directory_get(struct store *store, const char *sql, const struct pg_params *params,
                                   pg_directory_reader read, void *out) __attribute__((warn_unused_result));
enum store_result pg_directory_write(struct store *store, const char *sql, const struct pg_params *params,
                                     bool changing) __attribute__((warn_unused_result));
enum store_result pg_directory_each(struct store *store, const char *sql, const struct pg_params *params, pg_row_fn row,
                                    void *context) __attribute__((warn_unused_result));

/* Runs body(connection, context) inside BEGIN … COMMIT on a pooled connection; rolls back when
 * body returns anything but STORE_OK, and returns body's result (or the failure to begin or
 * commit). */
typedef enum store_result (*pg_directory_body)(struct pg_connection *connection, const void *context);
enum store_result pg_directory_transaction(struct store *store, pg_directory_body body, const void *context)
    __attribute__((warn_unused_result));

#endif
