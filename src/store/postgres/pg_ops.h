/* The data operations written for PostgreSQL alone, where one round trip does what SQLite does
 * with a loop: reading many cameras (an array parameter) and writing a batch of heartbeats
 * (unnest), both on the runner of store/sql/sql.h. */
#ifndef CAMFLEET_STORE_PG_OPS_H
#define CAMFLEET_STORE_PG_OPS_H

#include "store/store.h"

__typeof__(*((struct store_ops *)0)->camera_get_many) pg_camera_get_many;
__typeof__(*((struct store_ops *)0)->camera_heartbeats_write) pg_camera_heartbeats_write;

#endif
