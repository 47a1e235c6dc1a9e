/* The worker's step (store.h async_carry_out): up to a few hundred waiting requests carried out in
 * one transaction, like the heartbeat group commit — one durable commit for the lot instead of three
 * per request. Each request is checked before anything is written for it (registration.c; a state
 * change reads the camera row first), so one that fails is recorded as failed and the others go on.
 *
 * Why the row lock and no "processing" mark: the transaction that carries a request out is the one
 * that took it, so on PostgreSQL the request's row stays locked (FOR UPDATE SKIP LOCKED) exactly as
 * long as a node works on it. Another node's worker skips it meanwhile — however long the attempt
 * takes, so it cannot be taken twice — and the moment the first node's session ends (a crash, a
 * kill -9: PostgreSQL rolls its transaction back) the request is plainly "created" again and the
 * next worker takes it, with no staleness to wait out. A lease would need renewing and a clock;
 * the lock needs neither. On SQLite the write transaction holds the whole file, and a crash rolls
 * it back just the same. Requests an older version left "processing" are still taken: on SQLite at
 * once (one server per file), on PostgreSQL once stale.
 *
 * A state change whose camera row another transaction holds (a long transaction, an operator's
 * FOR UPDATE) is not waited for: its camera is locked with SKIP LOCKED, and when the row exists but
 * was skipped the request is left as it is, to be taken again by a later step (of this node or
 * another: still one at a time, by its own row lock), while the batch carries out the others. */
#include <stdlib.h>
#include <string.h>

#include "domain/async_outcome.h"
#include "store/camera_cache.h"
#include "store/shared/shared_ops.h"

static const char *const SQL_TAKE_ABANDONED[] =
    SQL_LOCKING("SELECT " STORE_ASYNC_COLUMNS " FROM async_requests WHERE status = 'processing' AND updated_at < $1"
                " ORDER BY seq LIMIT CAST($2 AS bigint)",
                " FOR UPDATE SKIP LOCKED");
static const char *const SQL_TAKE_CREATED[] = SQL_LOCKING(
    "SELECT " STORE_ASYNC_COLUMNS " FROM async_requests WHERE status = 'created' ORDER BY seq LIMIT CAST($1 AS bigint)",
    " FOR UPDATE SKIP LOCKED");
static const char SQL_FINISH[] = "UPDATE async_requests SET status = $2, message = $3, updated_at = $4 WHERE id = $1";

/* The requests one transaction took (capacity: work->max); held[i]: requests[i] was left waiting. */
struct taken {
	struct async_request *requests;
	bool *held;
	size_t count, capacity;
};

static int take_row(void *context, const struct sql_row *row)
{
	struct taken *taken = context;
	if (taken->count >= taken->capacity)
		return 1; /* cannot happen: the LIMIT is the capacity left */
	shared_read_async_request(row, &taken->requests[taken->count++]);
	return 0;
}

struct carry_out {
	const struct async_work *work;
	int64_t stale_before;
	struct taken *taken;
};

static enum store_result take_waiting(struct sql_connection *c, const struct carry_out *job)
{
	struct taken *taken = job->taken;
	struct sql_params params = {0};
	sql_param_int64(&params, job->stale_before);
	sql_param_int64(&params, (int64_t)taken->capacity);
	enum store_result result = sql_fetch_batch(c, sql_for(c, SQL_TAKE_ABANDONED), &params, take_row, taken);
	if (result != STORE_OK || taken->count == taken->capacity)
		return result;
	params.count = 0;
	sql_param_int64(&params, (int64_t)(taken->capacity - taken->count));
	return sql_fetch_batch(c, sql_for(c, SQL_TAKE_CREATED), &params, take_row, taken);
}

static void set_outcome(struct async_request *request, bool succeeded)
{
	request->status = succeeded ? ASYNC_SUCCEEDED : ASYNC_FAILED;
}

static enum store_result apply_register(struct sql_connection *c, struct async_request *request,
                                        const struct change_origin *origin)
{
	enum registration_result found;
	char other[CAMERA_SERIAL_MAX + 1];
	enum store_result result = shared_camera_register_in(
	    c, request->camera_id, request->serial_number, origin->at_ms / 1000, origin, &found, other, sizeof(other));
	if (result == STORE_OK)
		set_outcome(request, registration_outcome(found, request->camera_id, request->serial_number, other,
		                                          request->message, sizeof(request->message)));
	return result;
}

/* A state change whose camera row another transaction holds is not waited for: it is left as it
 * is (*held), for a later step, and the batch goes on with the other requests. */
static enum store_result apply_state(struct sql_connection *c, struct async_request *request,
                                     const struct change_origin *origin, bool *held)
{
	struct camera camera = {.state = CAMERA_REGISTERED};
	enum store_result result = shared_camera_lock_unless_held(c, request->camera_id, &camera, held);
	if (*held || (result != STORE_OK && result != STORE_NOT_FOUND))
		return *held ? STORE_OK : result;
	bool found = result == STORE_OK && (request->organisation_id[0] == '\0' ||
	                                    strcmp(camera.organisation_id, request->organisation_id) == 0);
	enum camera_state next = camera.state;
	enum state_change_result decision = state_change_decide(found, camera.state, request->new_state, &next);
	if (decision == STATE_CHANGE_DONE) {
		struct camera after;
		result = shared_camera_set_state_in(c, request->camera_id, camera.state, next, origin->at_ms / 1000,
		                                    origin, &after);
		if (result != STORE_OK)
			return result == STORE_CONFLICT ? STORE_ERROR : result; /* the row is held: cannot happen */
	}
	set_outcome(request, state_change_outcome(decision, decision == STATE_CHANGE_DONE ? next : camera.state,
	                                          request->message, sizeof(request->message)));
	return STORE_OK;
}

static enum store_result finish(struct sql_connection *c, struct async_request *request, int64_t at)
{
	struct sql_params params = {0};
	sql_param_text(&params, request->id);
	sql_param_text(&params, async_status_name(request->status == ASYNC_SUCCEEDED ? ASYNC_SUCCEEDED : ASYNC_FAILED));
	sql_param_text(&params, request->message);
	sql_param_int64(&params, at);
	request->updated_at = at;
	return sql_change(c, SQL_FINISH, &params, true);
}

static enum store_result carry_out_in_transaction(struct sql_connection *c, const void *context)
{
	const struct carry_out *job = context;
	const struct async_work *work = job->work;
	enum store_result result = take_waiting(c, job);
	for (size_t i = 0; i < job->taken->count && result == STORE_OK; i++) {
		struct async_request *request = &job->taken->requests[i];
		struct change_origin origin = {.actor = request->requester,
		                               .at_ms = work->now_ms,
		                               .online_window = work->online_window,
		                               .offline_alert_after = work->offline_alert_after};
		bool *held = &job->taken->held[i];
		*held = false;
		result = request->kind == ASYNC_REGISTER_CAMERA ? apply_register(c, request, &origin)
		                                                : apply_state(c, request, &origin, held);
		if (result == STORE_OK && !*held)
			result = finish(c, request, work->now_ms / 1000);
	}
	return result;
}

enum store_result shared_async_carry_out(struct store *store, const struct async_work *work, async_done_fn done,
                                         void *context, size_t *count, size_t *held_count)
{
	*count = 0;
	*held_count = 0;
	size_t capacity = work->max > 0 ? work->max : 1;
	struct taken taken = {calloc(capacity, sizeof(struct async_request)), calloc(capacity, sizeof(bool)), 0,
	                      capacity};
	if (taken.requests == NULL || taken.held == NULL) {
		free(taken.requests);
		free(taken.held);
		return STORE_ERROR;
	}
	/* A SQLite file has one server, whose worker never commits "processing": any such row is abandoned. */
	int64_t stale_before = sql_dialect_of(store) == SQL_SQLITE ? INT64_MAX : work->stale_before;
	struct carry_out job = {work, stale_before, &taken};
	enum store_result result = sql_transaction(store, carry_out_in_transaction, &job);
	for (size_t i = 0; i < taken.count; i++) /* state changes, committed or not, leave the cache */
		if (taken.requests[i].kind == ASYNC_PUT_CAMERA_STATE && store->camera_cache != NULL)
			camera_cache_forget(store->camera_cache, taken.requests[i].camera_id);
	for (size_t i = 0; i < taken.count && result == STORE_OK; i++) {
		if (taken.held[i]) {
			++*held_count;
			continue;
		}
		++*count;
		if (done != NULL)
			done(context, &taken.requests[i]);
	}
	free(taken.requests);
	free(taken.held);
	return result;
}
