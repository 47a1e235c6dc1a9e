/* Private to the SQLite directory back end (organisations, sites, users, clients, signing keys):
 * the per-entity operation tables that sqlite_directory_ops() joins, and small helpers for
 * running statements and reading rows that these files share. */
#ifndef CAMFLEET_STORE_SQLITE_DIRECTORY_H
#define CAMFLEET_STORE_SQLITE_DIRECTORY_H

#include "store/sqlite/sqlite_internal.h"

void sqlite_organisation_ops(struct store_ops *ops); /* sqlite_organisations.c */
void sqlite_site_ops(struct store_ops *ops);         /* sqlite_sites.c */
void sqlite_user_ops(struct store_ops *ops);         /* sqlite_users.c, incl. granted sites */
void sqlite_client_ops(struct store_ops *ops);       /* sqlite_clients.c */
void sqlite_token_ops(struct store_ops *ops);        /* sqlite_tokens.c: signing keys, revocations */

/* Inside a transaction: raises subject's token revocation stamp to valid_from_ms (store.h). */
enum store_result sqlite_token_revocation_write(struct sqlite_connection *connection, const char *subject_id,
                                                int64_t valid_from_ms) __attribute__((warn_unused_result));

/* Reads the current row of statement into out (a struct of the caller's choosing). */
typedef void (*sqlite_row_reader)(sqlite3_stmt *statement, void *out);
/* Handles the current row; returns non-zero to stop the listing. */
typedef int (*sqlite_row_visitor)(sqlite3_stmt *statement, void *context);

/* Logs that binding parameters failed and returns STORE_ERROR. */
enum store_result sqlite_bind_failure(struct sqlite_connection *connection, const char *context);

/* Runs a statement that writes rows; STORE_NOT_FOUND when it changed none. */
enum store_result sqlite_run_changing(struct sqlite_connection *connection, sqlite3_stmt *statement,
                                      const char *context);

/* Steps a query that returns at most one row: STORE_OK after read(statement, out) on a row,
 * STORE_NOT_FOUND without one (read may be NULL to test existence only), or a mapped error.
 * The statement is reset before returning. */
enum store_result sqlite_fetch_one(struct sqlite_connection *connection, sqlite3_stmt *statement,
                                   sqlite_row_reader read, void *out, const char *context);

/* Steps a query through its rows, calling visit(statement, context) on each until it returns
 * non-zero; STORE_OK or a mapped error. The statement is reset before returning. */
enum store_result sqlite_fetch_each(struct sqlite_connection *connection, sqlite3_stmt *statement,
                                    sqlite_row_visitor visit, void *context, const char *description);

/* Runs sql (no rows returned) with id bound as parameter 1; with changing, STORE_NOT_FOUND
 * when no row changed. */
enum store_result sqlite_run_with_id(struct sqlite_connection *connection, const char *sql, const char *id,
                                     bool changing, const char *context);

/* Runs body(connection, context) inside BEGIN IMMEDIATE … COMMIT on a pooled connection;
 * rolls back when body returns anything but STORE_OK, and returns body's result. */
typedef enum store_result (*sqlite_transaction_body)(struct sqlite_connection *connection, const void *context);
enum store_result sqlite_transaction(struct store *store, sqlite_transaction_body body, const void *context);

#endif
