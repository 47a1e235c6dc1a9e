/* Store contract: the batched worker's step (async_carry_out: registrations new, repeated and
 * conflicting, state changes, at most max in arrival order, requests a dead worker left
 * processing), the items of a register-camera batch (async_insert_many, async_batch_list) and
 * camera_register_many. The queue is shared by the whole group: each test first empties it. */
#include "contract.h"

#include <stdio.h>
#include <string.h>

static size_t carry_out(struct store *store, unsigned max, int64_t stale_before)
{
	struct async_work work = {.max = max,
	                          .now_ms = CONTRACT_TIME * 1000,
	                          .stale_before = stale_before,
	                          .online_window = 90,
	                          .offline_alert_after = 300};
	size_t count = 0, held = 0;
	assert_store_result(store->ops->async_carry_out(store, &work, NULL, NULL, &count, &held), STORE_OK);
	assert_int_equal(held, 0); /* no other transaction holds a camera here */
	return count;
}

/* Carries out whatever other tests left waiting. */
static void empty_queue(struct store *store)
{
	for (int round = 0; round < 100; round++)
		if (carry_out(store, 500, INT64_MAX) == 0)
			return;
	fail_msg("the queue did not empty");
}

static struct async_request registration(const char *camera_id, const char *serial_number)
{
	struct async_request request;
	memset(&request, 0, sizeof(request));
	contract_new_id(request.id);
	request.kind = ASYNC_REGISTER_CAMERA;
	request.status = ASYNC_CREATED;
	snprintf(request.camera_id, sizeof(request.camera_id), "%s", camera_id);
	snprintf(request.serial_number, sizeof(request.serial_number), "%s", serial_number);
	request.created_at = request.updated_at = CONTRACT_TIME;
	return request;
}

static struct async_request state_change(const char *camera_id, const char *organisation_id, const char *new_state)
{
	struct async_request request = registration(camera_id, "");
	request.kind = ASYNC_PUT_CAMERA_STATE;
	snprintf(request.new_state, sizeof(request.new_state), "%s", new_state);
	snprintf(request.organisation_id, sizeof(request.organisation_id), "%s", organisation_id);
	return request;
}

static void assert_outcome(struct store *store, const char *id, enum async_status status, const char *message)
{
	struct async_request read;
	assert_store_result(store->ops->async_get(store, id, &read), STORE_OK);
	assert_int_equal(read.status, status);
	assert_string_equal(read.message, message);
	assert_int_equal(read.updated_at, CONTRACT_TIME);
}

static size_t registered_events(struct store *store, const char *camera_id)
{
	struct event_filter filter = contract_camera_event_filter(camera_id);
	filter.type_mask = EVENT_TYPE_BIT(EVENT_CAMERA_REGISTERED);
	struct contract_events listing = {0};
	contract_list_events(store, &filter, &listing);
	size_t count = listing.count;
	contract_events_free(&listing);
	return count;
}

static void test_carry_out_registers_new_and_repeated_pairs_and_names_conflicts(void **state)
{
	struct store *store = contract_store(state);
	empty_queue(store);
	struct camera existing;
	contract_add_camera(store, &existing);
	char id[UUID_BUFFER_SIZE], fresh[UUID_BUFFER_SIZE], serial[64], message[ASYNC_MESSAGE_MAX + 1];
	contract_new_id(id);
	contract_new_id(fresh);
	snprintf(serial, sizeof(serial), "SN-%s", id);
	struct async_request requests[] = {
	    registration(id, serial), registration(id, serial), registration(existing.id, "SN-other"),
	    registration(fresh, existing.serial_number), state_change(id, "", "claimed")};
	for (size_t i = 0; i < 5; i++)
		assert_store_result(store->ops->async_insert(store, &requests[i]), STORE_OK);
	assert_int_equal(carry_out(store, 10, 0), 5);
	assert_outcome(store, requests[0].id, ASYNC_SUCCEEDED, "camera registered");
	assert_outcome(store, requests[1].id, ASYNC_SUCCEEDED,
	               "camera already registered with this serial number; nothing changed");
	snprintf(message, sizeof(message), "camera %s already exists with serial number '%s', not 'SN-other'",
	         existing.id, existing.serial_number);
	assert_outcome(store, requests[2].id, ASYNC_FAILED, message);
	snprintf(message, sizeof(message), "serial number '%s' already belongs to camera %s", existing.serial_number,
	         existing.id);
	assert_outcome(store, requests[3].id, ASYNC_FAILED, message);
	assert_outcome(store, requests[4].id, ASYNC_FAILED,
	               "camera is registered (not claimed); only running or paused cameras can change state");
	struct camera camera;
	assert_store_result(store->ops->camera_get(store, id, &camera), STORE_OK);
	assert_string_equal(camera.serial_number, serial);
	assert_int_equal(registered_events(store, id), 1);
	assert_store_result(store->ops->camera_get(store, fresh, &camera), STORE_NOT_FOUND);
	contract_assert_stored_camera(store, &existing, __FILE__, __LINE__);
}

static void test_carry_out_takes_at_most_max_in_arrival_order(void **state)
{
	struct store *store = contract_store(state);
	empty_queue(store);
	struct async_request requests[3];
	for (size_t i = 0; i < 3; i++) {
		char id[UUID_BUFFER_SIZE], serial[64];
		contract_new_id(id);
		snprintf(serial, sizeof(serial), "SN-%s", id);
		requests[i] = registration(id, serial);
		assert_store_result(store->ops->async_insert(store, &requests[i]), STORE_OK);
	}
	assert_int_equal(carry_out(store, 2, 0), 2);
	assert_outcome(store, requests[0].id, ASYNC_SUCCEEDED, "camera registered");
	assert_outcome(store, requests[1].id, ASYNC_SUCCEEDED, "camera registered");
	struct async_request read;
	assert_store_result(store->ops->async_get(store, requests[2].id, &read), STORE_OK);
	assert_int_equal(read.status, ASYNC_CREATED);
	assert_int_equal(carry_out(store, 2, 0), 1);
	assert_int_equal(carry_out(store, 2, 0), 0);
}

static void test_carry_out_changes_states_of_the_requesters_organisation_only(void **state)
{
	struct store *store = contract_store(state);
	empty_queue(store);
	struct contract_place place;
	contract_add_place(store, &place);
	struct camera camera;
	contract_add_claimed_camera(store, &place.site, &camera);
	struct organisation stranger;
	contract_add_organisation(store, &stranger);
	struct async_request pause = state_change(camera.id, place.organisation.id, "claimed_paused");
	struct async_request foreign = state_change(camera.id, stranger.id, "claimed");
	assert_store_result(store->ops->async_insert(store, &pause), STORE_OK);
	assert_store_result(store->ops->async_insert(store, &foreign), STORE_OK);
	assert_int_equal(carry_out(store, 10, 0), 2);
	assert_outcome(store, pause.id, ASYNC_SUCCEEDED, "camera is now paused");
	assert_outcome(store, foreign.id, ASYNC_FAILED, "camera not found");
	struct camera read;
	assert_store_result(store->ops->camera_get(store, camera.id, &read), STORE_OK);
	assert_int_equal(read.state, CAMERA_PAUSED);
}

static void test_carry_out_takes_a_request_left_processing_once_stale(void **state)
{
	struct store *store = contract_store(state);
	empty_queue(store);
	char id[UUID_BUFFER_SIZE], serial[64];
	contract_new_id(id);
	snprintf(serial, sizeof(serial), "SN-%s", id);
	struct async_request abandoned = registration(id, serial);
	abandoned.status = ASYNC_PROCESSING;
	assert_store_result(store->ops->async_insert(store, &abandoned), STORE_OK);
	assert_int_equal(carry_out(store, 10, CONTRACT_TIME + 1), 1);
	assert_outcome(store, abandoned.id, ASYNC_SUCCEEDED, "camera registered");
}

static int collect_item(void *context, const struct async_request *request)
{
	struct async_request *items = context;
	items[request->batch_index] = *request;
	return 0;
}

static void test_batch_items_are_inserted_together_and_listed_in_order(void **state)
{
	struct store *store = contract_store(state);
	empty_queue(store);
	char batch_id[UUID_BUFFER_SIZE];
	contract_new_id(batch_id);
	struct async_request items[3];
	for (int i = 0; i < 3; i++) {
		char id[UUID_BUFFER_SIZE], serial[64];
		contract_new_id(id);
		snprintf(serial, sizeof(serial), "SN-%s", id);
		items[i] = registration(id, serial);
		snprintf(items[i].batch_id, sizeof(items[i].batch_id), "%s", batch_id);
		items[i].batch_index = 2 - i; /* listed by index, not by insert order */
	}
	assert_store_result(store->ops->async_insert_many(store, items, 3), STORE_OK);
	struct async_request listed[3];
	memset(listed, 0, sizeof(listed));
	assert_store_result(store->ops->async_batch_list(store, batch_id, collect_item, listed), STORE_OK);
	for (int i = 0; i < 3; i++) {
		assert_string_equal(listed[2 - i].id, items[i].id);
		assert_string_equal(listed[2 - i].batch_id, batch_id);
	}
	char unknown[UUID_BUFFER_SIZE];
	contract_new_id(unknown);
	assert_store_result(store->ops->async_batch_list(store, unknown, collect_item, listed), STORE_OK);
	assert_int_equal(carry_out(store, 10, 0), 3);
}

static void test_camera_register_many_tells_each_pair(void **state)
{
	struct store *store = contract_store(state);
	struct camera existing;
	contract_add_camera(store, &existing);
	struct camera_registration items[3];
	memset(items, 0, sizeof(items));
	contract_new_id(items[0].camera_id);
	snprintf(items[0].serial_number, sizeof(items[0].serial_number), "SN-%s", items[0].camera_id);
	items[1] = items[0];
	snprintf(items[2].camera_id, sizeof(items[2].camera_id), "%s", existing.id);
	snprintf(items[2].serial_number, sizeof(items[2].serial_number), "SN-else");
	struct change_origin origin = contract_fresh_origin(EVENT_ACTOR_CLIENT, CONTRACT_TIME * 1000);
	assert_store_result(store->ops->camera_register_many(store, items, 3, CONTRACT_TIME, &origin), STORE_OK);
	assert_int_equal(items[0].result, REGISTRATION_NEW);
	assert_int_equal(items[1].result, REGISTRATION_REPEATED);
	assert_int_equal(items[2].result, REGISTRATION_ID_TAKEN);
	assert_string_equal(items[2].other, existing.serial_number);
	assert_int_equal(registered_events(store, items[0].camera_id), 1);
}

struct contract_tests contract_async_batch_tests(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_carry_out_registers_new_and_repeated_pairs_and_names_conflicts),
	    cmocka_unit_test(test_carry_out_takes_at_most_max_in_arrival_order),
	    cmocka_unit_test(test_carry_out_changes_states_of_the_requesters_organisation_only),
	    cmocka_unit_test(test_carry_out_takes_a_request_left_processing_once_stale),
	    cmocka_unit_test(test_batch_items_are_inserted_together_and_listed_in_order),
	    cmocka_unit_test(test_camera_register_many_tells_each_pair),
	};
	return CONTRACT_TESTS(tests);
}
