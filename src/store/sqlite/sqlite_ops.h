/* The data operations written for SQLite alone: reading many cameras (one read after another on
 * one connection: an embedded read costs a function call) and writing a batch of heartbeats (one
 * transaction whose commit updates the camera cache in place, in commit order). */
#ifndef CAMFLEET_STORE_SQLITE_OPS_H
#define CAMFLEET_STORE_SQLITE_OPS_H

#include "store/store.h"

__typeof__(*((struct store_ops *)0)->camera_get_many) sqlite_camera_get_many;
__typeof__(*((struct store_ops *)0)->camera_heartbeats_write) sqlite_camera_heartbeats_write;

#endif
