/* SQLite operations (being written). */
#include "store/sqlite/sqlite_internal.h"

void sqlite_directory_ops(struct store_ops *ops)
{
	(void)ops;
}
