/* Store contract: the queue of asynchronous requests (round trip of every field, taken in arrival
 * order and marked processing, a stale request taken again, finished only while processing, the
 * pending count), ping, and what a store says about itself (capabilities, camera cache, messages).
 * The queue is shared by the whole group, so each test first finishes what others left waiting. */
#include "contract.h"

#include <stdio.h>
#include <string.h>

/* Finishes every request waiting or processing, so that the test starts with an empty queue. */
static void drain_queue(struct store *store)
{
	for (int taken = 0; taken < 1000; taken++) {
		struct async_request request;
		enum store_result result = store->ops->async_claim_next(store, CONTRACT_TIME, INT64_MAX, &request);
		if (result == STORE_NOT_FOUND) {
			int64_t pending = -1;
			assert_store_result(store->ops->async_pending_count(store, &pending), STORE_OK);
			assert_int_equal(pending, 0);
			return;
		}
		assert_store_result(result, STORE_OK);
		assert_store_result(
		    store->ops->async_finish(store, request.id, ASYNC_SUCCEEDED, "drained", CONTRACT_TIME), STORE_OK);
	}
	fail_msg("the queue did not empty");
}

/* A request with fresh ids, created and last updated at created_at; not inserted. */
static struct async_request make_request(enum async_kind kind, const char *organisation_id, int64_t created_at)
{
	struct async_request request;
	memset(&request, 0, sizeof(request));
	contract_new_id(request.id);
	request.kind = kind;
	request.status = ASYNC_CREATED;
	contract_new_id(request.camera_id);
	if (kind == ASYNC_REGISTER_CAMERA)
		snprintf(request.serial_number, sizeof(request.serial_number), "SN-%s", request.camera_id);
	else
		snprintf(request.new_state, sizeof(request.new_state), "claimed_paused");
	snprintf(request.organisation_id, sizeof(request.organisation_id), "%s", organisation_id);
	request.created_at = request.updated_at = created_at;
	return request;
}

static void assert_request_equal(const struct async_request *expected, const struct async_request *read)
{
	assert_string_equal(read->id, expected->id);
	assert_int_equal(read->kind, expected->kind);
	assert_int_equal(read->status, expected->status);
	assert_string_equal(read->message, expected->message);
	assert_string_equal(read->camera_id, expected->camera_id);
	assert_string_equal(read->serial_number, expected->serial_number);
	assert_string_equal(read->new_state, expected->new_state);
	assert_string_equal(read->organisation_id, expected->organisation_id);
	assert_int_equal(read->created_at, expected->created_at);
	assert_int_equal(read->updated_at, expected->updated_at);
}

static void assert_stored_request(struct store *store, const struct async_request *expected)
{
	struct async_request read;
	memset(&read, 0x5a, sizeof(read));
	assert_store_result(store->ops->async_get(store, expected->id, &read), STORE_OK);
	assert_request_equal(expected, &read);
}

/* Takes the next request and fails unless it is expected (in the status it had), now processing. */
static void assert_claims(struct store *store, int64_t now, int64_t stale_before, const struct async_request *expected)
{
	struct async_request taken;
	memset(&taken, 0x5a, sizeof(taken));
	assert_store_result(store->ops->async_claim_next(store, now, stale_before, &taken), STORE_OK);
	struct async_request handed = *expected;
	handed.updated_at = now;
	assert_request_equal(&handed, &taken);
	handed.status = ASYNC_PROCESSING;
	assert_stored_request(store, &handed);
}

static void test_async_round_trip(void **state)
{
	struct store *store = contract_store(state);
	struct organisation organisation;
	contract_add_organisation(store, &organisation);
	struct async_request registration = make_request(ASYNC_REGISTER_CAMERA, "", CONTRACT_TIME);
	struct async_request change = make_request(ASYNC_PUT_CAMERA_STATE, organisation.id, CONTRACT_TIME + 1);
	change.updated_at = CONTRACT_TIME + 2;
	snprintf(change.message, sizeof(change.message), "queued \xe2\x9c\x93 'quoted'");
	assert_store_result(store->ops->async_insert(store, &registration), STORE_OK);
	assert_store_result(store->ops->async_insert(store, &change), STORE_OK);
	assert_stored_request(store, &registration);
	assert_stored_request(store, &change);
	assert_store_result(store->ops->async_insert(store, &change), STORE_CONFLICT);
	char unknown[UUID_BUFFER_SIZE];
	contract_new_id(unknown);
	struct async_request read;
	assert_store_result(store->ops->async_get(store, unknown, &read), STORE_NOT_FOUND);
	drain_queue(store);
}

static void test_async_claim_next_takes_requests_in_arrival_order(void **state)
{
	struct store *store = contract_store(state);
	drain_queue(store);
	struct async_request done = make_request(ASYNC_REGISTER_CAMERA, "", CONTRACT_TIME);
	done.status = ASYNC_SUCCEEDED;
	assert_store_result(store->ops->async_insert(store, &done), STORE_OK);
	/* the oldest is the first inserted, whatever created_at says */
	struct async_request first = make_request(ASYNC_REGISTER_CAMERA, "", CONTRACT_TIME + 300);
	struct async_request second = make_request(ASYNC_PUT_CAMERA_STATE, "", CONTRACT_TIME + 100);
	struct async_request third = make_request(ASYNC_REGISTER_CAMERA, "", CONTRACT_TIME + 200);
	assert_store_result(store->ops->async_insert(store, &first), STORE_OK);
	assert_store_result(store->ops->async_insert(store, &second), STORE_OK);
	assert_store_result(store->ops->async_insert(store, &third), STORE_OK);
	assert_claims(store, CONTRACT_TIME + 1000, CONTRACT_TIME, &first);
	assert_claims(store, CONTRACT_TIME + 1001, CONTRACT_TIME, &second);
	assert_claims(store, CONTRACT_TIME + 1002, CONTRACT_TIME, &third);
	struct async_request taken;
	assert_store_result(store->ops->async_claim_next(store, CONTRACT_TIME + 1003, CONTRACT_TIME, &taken),
	                    STORE_NOT_FOUND);
	assert_stored_request(store, &done);
	drain_queue(store);
}

static void test_async_claim_next_takes_a_stale_request_again(void **state)
{
	struct store *store = contract_store(state);
	drain_queue(store);
	struct async_request request = make_request(ASYNC_PUT_CAMERA_STATE, "", CONTRACT_TIME);
	assert_store_result(store->ops->async_insert(store, &request), STORE_OK);
	assert_claims(store, CONTRACT_TIME + 1000, CONTRACT_TIME, &request);
	/* processing since CONTRACT_TIME + 1000: not stale before that instant */
	struct async_request taken;
	assert_store_result(store->ops->async_claim_next(store, CONTRACT_TIME + 1500, CONTRACT_TIME + 1000, &taken),
	                    STORE_NOT_FOUND);
	struct async_request crashed = request;
	crashed.status = ASYNC_PROCESSING; /* the status it had when taken again */
	assert_claims(store, CONTRACT_TIME + 2000, CONTRACT_TIME + 1001, &crashed);
	drain_queue(store);
}

static void test_async_finish_only_while_processing(void **state)
{
	struct store *store = contract_store(state);
	drain_queue(store);
	struct async_request request = make_request(ASYNC_REGISTER_CAMERA, "", CONTRACT_TIME);
	assert_store_result(store->ops->async_insert(store, &request), STORE_OK);
	assert_store_result(store->ops->async_finish(store, request.id, ASYNC_SUCCEEDED, "", CONTRACT_TIME + 1),
	                    STORE_NOT_FOUND);
	assert_claims(store, CONTRACT_TIME + 2, CONTRACT_TIME, &request);
	char message[ASYNC_MESSAGE_MAX + 1];
	memset(message, 'm', ASYNC_MESSAGE_MAX);
	message[ASYNC_MESSAGE_MAX] = '\0';
	assert_store_result(store->ops->async_finish(store, request.id, ASYNC_FAILED, message, CONTRACT_TIME + 5),
	                    STORE_OK);
	struct async_request expected = request;
	expected.status = ASYNC_FAILED;
	snprintf(expected.message, sizeof(expected.message), "%s", message);
	expected.updated_at = CONTRACT_TIME + 5;
	assert_stored_request(store, &expected);
	assert_store_result(store->ops->async_finish(store, request.id, ASYNC_SUCCEEDED, "again", CONTRACT_TIME + 6),
	                    STORE_NOT_FOUND);
	assert_stored_request(store, &expected);
	char unknown[UUID_BUFFER_SIZE];
	contract_new_id(unknown);
	assert_store_result(store->ops->async_finish(store, unknown, ASYNC_SUCCEEDED, "", CONTRACT_TIME),
	                    STORE_NOT_FOUND);
}

static void assert_pending(struct store *store, int64_t expected)
{
	int64_t count = -1;
	assert_store_result(store->ops->async_pending_count(store, &count), STORE_OK);
	assert_int_equal(count, expected);
}

static void test_async_pending_count(void **state)
{
	struct store *store = contract_store(state);
	drain_queue(store);
	assert_pending(store, 0);
	struct async_request one = make_request(ASYNC_REGISTER_CAMERA, "", CONTRACT_TIME);
	struct async_request two = make_request(ASYNC_PUT_CAMERA_STATE, "", CONTRACT_TIME);
	struct async_request done = make_request(ASYNC_REGISTER_CAMERA, "", CONTRACT_TIME);
	done.status = ASYNC_FAILED;
	assert_store_result(store->ops->async_insert(store, &one), STORE_OK);
	assert_store_result(store->ops->async_insert(store, &two), STORE_OK);
	assert_store_result(store->ops->async_insert(store, &done), STORE_OK);
	assert_pending(store, 2);
	assert_claims(store, CONTRACT_TIME + 1, CONTRACT_TIME, &one);
	assert_pending(store, 2); /* processing is pending too */
	assert_store_result(store->ops->async_finish(store, one.id, ASYNC_SUCCEEDED, "", CONTRACT_TIME + 2), STORE_OK);
	assert_pending(store, 1);
	assert_claims(store, CONTRACT_TIME + 3, CONTRACT_TIME, &two);
	assert_store_result(store->ops->async_finish(store, two.id, ASYNC_FAILED, "no", CONTRACT_TIME + 4), STORE_OK);
	assert_pending(store, 0);
}

/* ---- the store itself --------------------------------------------------------------------------- */

static void test_ping(void **state)
{
	struct store *store = contract_store(state);
	assert_store_result(store->ops->ping(store), STORE_OK);
}

static void test_the_store_says_what_it_is(void **state)
{
	struct store *store = contract_store(state);
	enum contract_backend_kind kind = contract_kind(state);
	assert_int_equal(store->capabilities.reads_are_remote, kind == CONTRACT_POSTGRES);
	assert_int_equal(store->camera_cache != NULL, kind == CONTRACT_SQLITE_SERVER);
	assert_non_null(store->messages);
	assert_non_null(store->close);
	assert_store_result(store->messages->publish(store, "store contract test"), STORE_OK);
}

/* Inserts a request created at created_at with the given status (a batch's item when batch_id is
 * not NULL); returns it. */
static struct async_request insert_aged(struct store *store, int64_t created_at, enum async_status status,
                                        const char *batch_id, int batch_index)
{
	struct async_request request = make_request(ASYNC_REGISTER_CAMERA, "", created_at);
	request.status = status;
	if (batch_id != NULL) {
		snprintf(request.batch_id, sizeof(request.batch_id), "%s", batch_id);
		request.batch_index = batch_index;
	}
	assert_store_result(store->ops->async_insert(store, &request), STORE_OK);
	return request;
}

static bool request_exists(struct store *store, const char *id)
{
	struct async_request read;
	enum store_result result = store->ops->async_get(store, id, &read);
	assert_true(result == STORE_OK || result == STORE_NOT_FOUND);
	return result == STORE_OK;
}

/* Pruning deletes finished requests created before the cut, in bounded steps, and keeps waiting
 * ones, newer ones, and every item of a batch that still has an item waiting. */
static void test_async_prune_deletes_old_finished_requests(void **state)
{
	struct store *store = contract_store(state);
	drain_queue(store);
	const int64_t old = CONTRACT_TIME - 40 * 86400, cut = CONTRACT_TIME - 30 * 86400;
	struct async_request succeeded = insert_aged(store, old, ASYNC_SUCCEEDED, NULL, 0);
	struct async_request failed = insert_aged(store, old + 1, ASYNC_FAILED, NULL, 0);
	struct async_request recent = insert_aged(store, cut + 1, ASYNC_SUCCEEDED, NULL, 0);
	char done_batch[UUID_BUFFER_SIZE], open_batch[UUID_BUFFER_SIZE];
	contract_new_id(done_batch);
	contract_new_id(open_batch);
	struct async_request done_items[2] = {insert_aged(store, old, ASYNC_SUCCEEDED, done_batch, 0),
	                                      insert_aged(store, old, ASYNC_FAILED, done_batch, 1)};
	struct async_request open_finished = insert_aged(store, old, ASYNC_SUCCEEDED, open_batch, 0);
	struct async_request open_waiting = insert_aged(store, old, ASYNC_CREATED, open_batch, 1);

	long deleted = -1;
	assert_store_result(store->ops->async_prune(store, cut, 1, &deleted), STORE_OK);
	assert_int_equal(deleted, 1); /* bounded by max_rows */
	assert_false(request_exists(store, succeeded.id));
	assert_store_result(store->ops->async_prune(store, cut, 100, &deleted), STORE_OK);
	assert_int_equal(deleted, 3);
	assert_false(request_exists(store, failed.id));
	assert_false(request_exists(store, done_items[0].id));
	assert_false(request_exists(store, done_items[1].id));
	assert_true(request_exists(store, recent.id));
	assert_true(request_exists(store, open_finished.id));
	assert_true(request_exists(store, open_waiting.id));
	assert_store_result(store->ops->async_prune(store, cut, 100, &deleted), STORE_OK);
	assert_int_equal(deleted, 0);
	drain_queue(store);
}

struct contract_tests contract_async_tests(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_async_round_trip),
	    cmocka_unit_test(test_async_claim_next_takes_requests_in_arrival_order),
	    cmocka_unit_test(test_async_claim_next_takes_a_stale_request_again),
	    cmocka_unit_test(test_async_finish_only_while_processing),
	    cmocka_unit_test(test_async_pending_count),
	    cmocka_unit_test(test_async_prune_deletes_old_finished_requests),
	    cmocka_unit_test(test_ping),
	    cmocka_unit_test(test_the_store_says_what_it_is),
	};
	return CONTRACT_TESTS(tests);
}
