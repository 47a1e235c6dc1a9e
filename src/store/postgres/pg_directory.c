/* PostgreSQL directory back end: pg_directory_ops(), the one entry that fills the operations of
 * organisations, sites, users, clients and signing keys (each in its own file). */
#include "store/postgres/pg_directory.h"

void pg_directory_ops(struct store_ops *ops)
{
	pg_token_ops(ops);
	pg_organisation_ops(ops);
	pg_site_ops(ops);
	pg_user_ops(ops);
	pg_client_ops(ops);
}
