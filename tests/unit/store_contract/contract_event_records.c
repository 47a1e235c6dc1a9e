/* The store contract test's helpers for events: camera writes made by an origin of the test's own, and
 * listings of events copied out of event_list (with their data parsed) and compared by id and order.
 * Each helper fails the test at the caller's line when the store does not do what it should. */
#include "contract.h"

#include <stdio.h>
#include <string.h>

/* The event_list callback of contract_list_events: copies the record, parses the data. */
static int collect_event(void *context, const struct event_record *event)
{
	struct contract_events *listing = context;
	if (listing->count >= CONTRACT_EVENTS_MAX) { /* bound first: never write past the array */
		listing->overflow = true;
		return 1;
	}
	struct contract_event *out = &listing->events[listing->count++];
	out->record = *event;
	out->record.data_json = NULL; /* lives only during the callback */
	out->data = json_loads(event->data_json, 0, NULL);
	if (!json_is_object(out->data))
		listing->bad_data = true;
	return 0;
}

void contract_events_free(struct contract_events *listing)
{
	for (size_t i = 0; i < listing->count; i++)
		json_decref(listing->events[i].data);
	listing->count = 0;
}

void contract_list_events(struct store *store, const struct event_filter *filter, struct contract_events *out)
{
	contract_events_free(out);
	memset(out, 0, sizeof(*out));
	assert_store_result(store->ops->event_list(store, filter, collect_event, out), STORE_OK);
	assert_false(out->overflow);
	assert_false(out->bad_data);
}

struct event_filter contract_camera_event_filter(const char *camera_id)
{
	struct event_filter filter;
	memset(&filter, 0, sizeof(filter));
	snprintf(filter.camera_id, sizeof(filter.camera_id), "%s", camera_id);
	return filter;
}

void contract_assert_event_ids(const struct contract_events *listing, const char *const *expected, size_t count,
                               const char *file, int line)
{
	bool same = listing->count == count;
	for (size_t i = 0; same && i < count; i++)
		same = strcmp(listing->events[i].record.id, expected[i]) == 0;
	if (same)
		return;
	print_error("listed %zu events:\n", listing->count);
	for (size_t i = 0; i < listing->count; i++)
		print_error("  %s %s\n", listing->events[i].record.id, event_type_name(listing->events[i].record.type));
	print_error("expected %zu:\n", count);
	for (size_t i = 0; i < count; i++)
		print_error("  %s\n", expected[i]);
	_fail(file, line);
}

struct change_origin contract_make_origin(enum event_actor_kind kind, const char *actor_id, int64_t at_ms)
{
	struct change_origin origin;
	memset(&origin, 0, sizeof(origin));
	origin.actor.kind = kind;
	snprintf(origin.actor.id, sizeof(origin.actor.id), "%s", actor_id);
	origin.at_ms = at_ms;
	origin.online_window = 90;
	return origin;
}

struct change_origin contract_fresh_origin(enum event_actor_kind kind, int64_t at_ms)
{
	char id[UUID_BUFFER_SIZE];
	contract_new_id(id);
	return contract_make_origin(kind, id, at_ms);
}

void contract_register_camera_as(struct store *store, const struct change_origin *origin, struct camera *out)
{
	char id[UUID_BUFFER_SIZE], serial[CAMERA_SERIAL_MAX + 1];
	contract_new_id(id);
	snprintf(serial, sizeof(serial), "SN-%s", id);
	assert_store_result(store->ops->camera_register(store, id, serial, origin->at_ms / 1000, origin), STORE_OK);
	*out = contract_registered_camera(id, serial);
}

void contract_claim_camera_as(struct store *store, const struct site *site, const char *name,
                              const struct change_origin *origin, struct camera *camera)
{
	struct camera_placement placement = contract_placement(site, origin->at_ms / 1000);
	assert_store_result(store->ops->camera_claim(store, camera->serial_number, CAMERA_STATE_BIT(CAMERA_REGISTERED),
	                                             &placement, true, name, origin, camera),
	                    STORE_OK);
}

void contract_set_state_as(struct store *store, struct camera *camera, enum camera_state new_state,
                           const struct change_origin *origin)
{
	assert_store_result(store->ops->camera_set_state(store, camera->id, camera->state, new_state,
	                                                 origin->at_ms / 1000, origin, camera),
	                    STORE_OK);
}

void contract_move_camera_as(struct store *store, struct camera *camera, const struct site *site,
                             const struct change_origin *origin)
{
	struct camera_placement placement = contract_placement(site, origin->at_ms / 1000);
	assert_store_result(store->ops->camera_move(store, camera->id, camera->state, &placement, origin, camera),
	                    STORE_OK);
	assert_string_equal(camera->camera_position_id, placement.camera_position_id);
}

void contract_newest_event_id(struct store *store, const char *camera_id, char out[UUID_BUFFER_SIZE])
{
	struct contract_events listing = {0};
	struct event_filter filter = contract_camera_event_filter(camera_id);
	filter.limit = 1;
	contract_list_events(store, &filter, &listing);
	assert_int_equal(listing.count, 1);
	snprintf(out, UUID_BUFFER_SIZE, "%s", listing.events[0].record.id);
	contract_events_free(&listing);
}
