/* Bulk registration: POST /register-camera-batches stores a batch of 1 to 1,000 cameras, each item
 * a register-camera request of its own (one transaction for all), wakes the worker and answers 202;
 * the worker carries the items out in its batches like single requests. GET
 * /register-camera-batches/{batchId} shows the batch: its items' outcomes and counts, and a status
 * made from them (created → processing → succeeded, or failed when any item failed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/routes.h"
#include "domain/field_names.h"
#include "jobs/async_worker.h"
#include "util/log.h"

#define BATCH_ITEMS_MAX 1000

static const char *const batch_fields[] = {"cameras", NULL};
static const char *const item_fields[] = {"cameraId", "serialNumber", NULL};

/* 400 unless every key of item is an item field. */
static bool item_keys_or_reply(struct http_request *request, json_t *item, size_t index)
{
	const char *key;
	json_t *value;
	json_object_foreach(item, key, value)
	{
		bool known = false;
		for (const char *const *field = item_fields; *field != NULL && !known; field++)
			known = strcmp(key, *field) == 0;
		if (!known) {
			char parent[FIELD_PATH_SIZE], message[FIELD_MESSAGE_SIZE];
			field_path_index(parent, sizeof(parent), "cameras", index);
			field_names_unknown_message(message, sizeof(message), parent, key, item_fields);
			http_reply_error(request, 400, "%s", message);
			return false;
		}
	}
	return true;
}

/* Validates item index of the batch into out (its camera id and serial number); 400 naming the item
 * and the field otherwise. */
static bool read_item_or_reply(struct http_request *request, json_t *item, size_t index, struct async_request *out)
{
	if (!json_is_object(item)) {
		http_reply_error(request, 400, "cameras[%zu] must be an object with 'cameraId' and 'serialNumber'",
		                 index);
		return false;
	}
	char id_field[48], serial_field[48];
	snprintf(id_field, sizeof(id_field), "cameras[%zu].cameraId", index);
	snprintf(serial_field, sizeof(serial_field), "cameras[%zu].serialNumber", index);
	/* the item's fields under names that say where they are, for the messages of the field readers */
	json_t *view = json_object();
	json_t *camera_id = json_object_get(item, "cameraId"), *serial = json_object_get(item, "serialNumber");
	if (view == NULL || (camera_id != NULL && json_object_set(view, id_field, camera_id) != 0) ||
	    (serial != NULL && json_object_set(view, serial_field, serial) != 0)) {
		json_decref(view);
		http_reply_error(request, 500, "internal error");
		return false;
	}
	bool valid = item_keys_or_reply(request, item, index) &&
	             api_uuid_field_or_reply(request, view, id_field, true, out->camera_id, NULL) &&
	             api_string_field_or_reply(request, view, serial_field, FIELD_REQUIRED, 1, CAMERA_SERIAL_MAX,
	                                       out->serial_number, sizeof(out->serial_number), NULL, NULL);
	json_decref(view);
	return valid;
}

/* The batch's items, validated and ready to store: *items (count) is calloc'd, the caller frees it. */
static bool read_batch_or_reply(struct http_request *request, json_t *body, struct async_request **items, size_t *count)
{
	json_t *cameras = json_object_get(body, "cameras");
	size_t size = json_array_size(cameras);
	if (cameras == NULL) {
		http_reply_error(request, 400, "field 'cameras' is required");
		return false;
	}
	if (!json_is_array(cameras) || size < 1 || size > BATCH_ITEMS_MAX) {
		http_reply_error(request, 400, "field 'cameras' must be an array of 1 to %d cameras", BATCH_ITEMS_MAX);
		return false;
	}
	*items = calloc(size, sizeof(**items));
	if (*items == NULL) {
		http_reply_error(request, 500, "internal error");
		return false;
	}
	for (size_t i = 0; i < size; i++)
		if (!read_item_or_reply(request, json_array_get(cameras, i), i, &(*items)[i])) {
			free(*items);
			*items = NULL;
			return false;
		}
	*count = size;
	return true;
}

/* Fills what each item shares with a single request: its own id, the batch, created now by the caller. */
static bool complete_items_or_reply(struct http_request *request, const char *batch_id, struct async_request *items,
                                    size_t count)
{
	struct change_origin origin;
	api_change_origin(request, &origin);
	for (size_t i = 0; i < count; i++) {
		struct async_request *item = &items[i];
		if (uuid_generate_text(item->id) != 0) {
			log_error("register batches: cannot generate a request id");
			http_reply_error(request, 500, "internal error");
			return false;
		}
		item->kind = ASYNC_REGISTER_CAMERA;
		item->status = ASYNC_CREATED;
		item->requester = origin.actor;
		item->created_at = item->updated_at = origin.at_ms / 1000;
		memcpy(item->batch_id, batch_id, sizeof(item->batch_id));
		item->batch_index = (int)i;
		snprintf(item->message, sizeof(item->message), "registration of camera %s accepted", item->camera_id);
	}
	return true;
}

static enum MHD_Result post_batch(struct http_request *request)
{
	if (!api_require_role_or_reply(request, ROLES_OPERATOR, "register cameras"))
		return http_replied(request);
	json_t *body = NULL;
	if (!api_parse_body_or_reply(request, batch_fields, &body))
		return http_replied(request);
	struct async_request *items = NULL;
	size_t count = 0;
	bool valid = read_batch_or_reply(request, body, &items, &count);
	json_decref(body);
	if (!valid)
		return http_replied(request);
	char batch_id[UUID_BUFFER_SIZE];
	enum MHD_Result answer;
	if (uuid_generate_text(batch_id) != 0) {
		answer = http_reply_error(request, 500, "internal error");
	} else if (complete_items_or_reply(request, batch_id, items, count)) {
		enum store_result result = async_worker_store(request->app->worker, items, count);
		if (result != STORE_OK) {
			answer = api_store_failure(request, result, "batch", "a request with this id already exists");
		} else {
			api_add_location(request, "/register-camera-batches/%s", batch_id);
			answer = http_reply_json(request, 202,
			                         json_pack("{s:s, s:s, s:I}", "id", batch_id, "status", "created",
			                                   "count", (json_int_t)count));
		}
	} else {
		answer = http_replied(request);
	}
	free(items);
	return answer;
}

/* The items of a batch as listed, and their counts. */
struct batch_view {
	json_t *items;
	size_t count, succeeded, failed;
	bool out_of_memory;
};

static int add_item(void *context, const struct async_request *request)
{
	struct batch_view *view = context;
	const char *status = async_status_name(request->status);
	view->count++;
	view->succeeded += request->status == ASYNC_SUCCEEDED;
	view->failed += request->status == ASYNC_FAILED;
	json_t *item = json_pack("{s:s, s:s, s:s, s:s}", "cameraId", request->camera_id, "serialNumber",
	                         request->serial_number, "status", status, "message", request->message);
	if (item == NULL || json_array_append_new(view->items, item) != 0) {
		view->out_of_memory = true;
		return 1;
	}
	return 0;
}

/* created: no item done yet; processing: some; succeeded: all, none failed; failed: all, some failed. */
static const char *batch_status(const struct batch_view *view)
{
	size_t done = view->succeeded + view->failed;
	if (done < view->count)
		return done == 0 ? "created" : "processing";
	return view->failed > 0 ? "failed" : "succeeded";
}

static enum MHD_Result get_batch(struct http_request *request)
{
	if (!api_require_role_or_reply(request, ROLES_OPERATOR, "read camera registration batches"))
		return http_replied(request);
	char batch_id[UUID_BUFFER_SIZE];
	if (!api_path_uuid_or_reply(request, 0, "batchId", batch_id))
		return http_replied(request);
	struct batch_view view = {.items = json_array()};
	if (view.items == NULL)
		return http_reply_error(request, 500, "internal error");
	struct store *store = request->app->store;
	enum store_result result = store->ops->async_batch_list(store, batch_id, add_item, &view);
	if (result == STORE_OK && view.count == 0)
		result = STORE_NOT_FOUND;
	if (result != STORE_OK || view.out_of_memory) {
		json_decref(view.items);
		return view.out_of_memory ? http_reply_error(request, 500, "internal error")
		                          : api_store_failure(request, result, "register-camera batch", NULL);
	}
	json_t *body = json_pack("{s:s, s:s, s:I, s:I, s:I, s:o}", "id", batch_id, "status", batch_status(&view),
	                         "count", (json_int_t)view.count, "succeeded", (json_int_t)view.succeeded, "failed",
	                         (json_int_t)view.failed, "items", view.items);
	return http_reply_json(request, 200, body);
}

const struct route register_batch_routes[] = {
    {.method = "POST",
     .pattern = "/register-camera-batches",
     .handler = post_batch,
     .roles = ROLES_OPERATOR,
     .flags = ROUTE_LARGE_BODY},
    {.method = "GET", .pattern = "/register-camera-batches/{batchId}", .handler = get_batch, .roles = ROLES_OPERATOR},
    {.method = NULL},
};
