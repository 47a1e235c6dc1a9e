/* Private to the PostgreSQL directory back end (organisations, sites, users, clients, signing
 * keys, opening hours): the per-entity operation tables that pg_directory_ops() joins. */
#ifndef CAMFLEET_STORE_PG_DIRECTORY_H
#define CAMFLEET_STORE_PG_DIRECTORY_H

#include <stdbool.h>

#include "store/postgres/pg_internal.h"

void pg_organisation_ops(struct store_ops *ops); /* pg_organisations.c */
void pg_site_ops(struct store_ops *ops);         /* pg_sites.c */
void pg_user_ops(struct store_ops *ops);         /* pg_users.c, incl. granted sites */
void pg_client_ops(struct store_ops *ops);       /* pg_clients.c */
void pg_token_ops(struct store_ops *ops);        /* pg_tokens.c: signing keys, revocations */

/* Inside a transaction: raises subject's token revocation stamp to valid_from_ms (store.h). */
enum store_result pg_token_revocation_write(struct pg_connection *connection, const char *subject_id,
                                            int64_t valid_from_ms) __attribute__((warn_unused_result));

#endif
