/* What both back ends write as text and read back the same way: the names of asynchronous
 * request kinds and statuses, and the SQL shared word for word by their camera queries (the
 * column list the row readers expect, and a camera's CAMERA_STATE_BIT computed from its state). */
#ifndef CAMFLEET_STORE_STORE_TEXT_H
#define CAMFLEET_STORE_STORE_TEXT_H

#include "domain/camera.h"
#include "store/entities.h"

/* Stored names; an unknown name reads as ASYNC_REGISTER_CAMERA / ASYNC_FAILED. */
const char *store_async_kind_name(enum async_kind kind);
enum async_kind store_async_kind_from_name(const char *name);
const char *store_async_status_name(enum async_status status);
enum async_status store_async_status_from_name(const char *name);

/* The columns of a camera row, in the order both back ends' readers expect. */
#define STORE_CAMERA_COLUMNS                                                                                           \
	"id, serial_number, state, organisation_id, site_id, camera_position_id, claimed_at, name,"                    \
	" direction1_alias, direction2_alias, last_seen_at, last_video_at, reported_offline,"                          \
	" encoded_frames_proportion, network_transmit_rate, video_backlog, video_upload_latency"

/* CAMERA_STATE_BIT(state) computed in SQL from the stored state name. */
#define STORE_SQL_STATE_BIT                                                                                            \
	"(1 << CASE state WHEN 'registered' THEN 0 WHEN 'running' THEN 1 WHEN 'paused' THEN 2"                         \
	" WHEN 'decommissioned' THEN 3 END)"
_Static_assert(CAMERA_REGISTERED == 0 && CAMERA_RUNNING == 1 && CAMERA_PAUSED == 2 && CAMERA_DECOMMISSIONED == 3,
               "STORE_SQL_STATE_BIT must follow enum camera_state");

/* The index that drives a camera list's scan in id order: that of the most selective filter
 * given (cameras_by_site, cameras_by_organisation, else the primary key). Each back end keeps
 * one SQL text per scan, indexed by this. */
struct camera_filter;
enum store_list_scan { STORE_LIST_BY_SITE, STORE_LIST_BY_ORGANISATION, STORE_LIST_ALL, STORE_LIST_SCANS };
enum store_list_scan store_list_scan(const struct camera_filter *filter);

/* The columns of an asynchronous request row. */
#define STORE_ASYNC_COLUMNS                                                                                            \
	"id, kind, status, message, camera_id, serial_number, new_state, organisation_id, created_at,"                 \
	" updated_at"

#endif
