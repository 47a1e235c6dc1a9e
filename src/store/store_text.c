/* The stored names of asynchronous request kinds and statuses, and the scan a camera list
 * takes (see store_text.h). */
#include "store/store_text.h"

#include <string.h>

#include "store/store.h"

static const char *const kind_names[] = {
    [ASYNC_REGISTER_CAMERA] = "register-camera", [ASYNC_PUT_CAMERA_STATE] = "put-camera-state"};
static const char *const status_names[] = {[ASYNC_CREATED] = "created",
                                           [ASYNC_PROCESSING] = "processing",
                                           [ASYNC_SUCCEEDED] = "succeeded",
                                           [ASYNC_FAILED] = "failed"};

const char *store_async_kind_name(enum async_kind kind)
{
	return kind == ASYNC_PUT_CAMERA_STATE ? kind_names[ASYNC_PUT_CAMERA_STATE] : kind_names[ASYNC_REGISTER_CAMERA];
}

enum async_kind store_async_kind_from_name(const char *name)
{
	return strcmp(name, kind_names[ASYNC_PUT_CAMERA_STATE]) == 0 ? ASYNC_PUT_CAMERA_STATE : ASYNC_REGISTER_CAMERA;
}

const char *store_async_status_name(enum async_status status)
{
	return (unsigned)status <= ASYNC_FAILED ? status_names[status] : status_names[ASYNC_FAILED];
}

enum async_status store_async_status_from_name(const char *name)
{
	for (unsigned i = 0; i <= ASYNC_FAILED; i++)
		if (strcmp(name, status_names[i]) == 0)
			return (enum async_status)i;
	return ASYNC_FAILED;
}

enum store_list_scan store_list_scan(const struct camera_filter *filter)
{
	if (filter->site_id[0] != '\0')
		return STORE_LIST_BY_SITE;
	if (filter->organisation_id[0] != '\0')
		return STORE_LIST_BY_ORGANISATION;
	return STORE_LIST_ALL;
}
