/* The token endpoint's argon2 checks on request batches (http/request_batch.c): one batch, and
 * so one thread, per argon2 turn; checks go to the batches in turn. Each check still passes the
 * argon2 gate inside password_check, shared with the hashing done elsewhere. */
#include "api/password_checks.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/request_batch.h"
#include "util/timeutil.h"

#define CHECKS_QUEUED_MAX 64 /* per thread; beyond that, 503 at once */
#define SECRET_BYTES_MAX  512

struct check_item {
	uint64_t queued_ns;
	char hash[PASSWORD_HASH_SIZE];
	char secret[SECRET_BYTES_MAX];
};

struct password_checks {
	uint64_t wait_ns;
	unsigned count;
	atomic_uint next;
	struct request_batch **batches;
};

static void check_batch(void *context, const void *items, struct http_request *const *requests, size_t count)
{
	struct password_checks *checks = context;
	const struct check_item *checked = items;
	for (size_t i = 0; i < count; i++) {
		enum password_check *result = requests[i]->resume_context;
		if (time_monotonic_nanos() - checked[i].queued_ns > checks->wait_ns)
			*result = PASSWORD_CHECK_BUSY;
		else
			*result = password_check(checked[i].hash, checked[i].secret);
		/* the queue is this thread's while it processes: wipe the secret it held */
		explicit_bzero(((struct check_item *)items)[i].secret, SECRET_BYTES_MAX);
		http_request_resume(requests[i]); /* not ours any more */
	}
}

struct password_checks *password_checks_start(unsigned threads, unsigned wait_ms)
{
	struct password_checks *checks = calloc(1, sizeof(*checks));
	if (checks == NULL)
		return NULL;
	checks->batches = calloc(threads > 0 ? threads : 1, sizeof(*checks->batches));
	if (checks->batches == NULL) {
		free(checks);
		return NULL;
	}
	checks->wait_ns = (uint64_t)wait_ms * 1000000ull;
	static const struct request_batch_policy policy = {.max_items = CHECKS_QUEUED_MAX};
	for (unsigned i = 0; i < (threads > 0 ? threads : 1); i++) {
		checks->batches[i] =
		    request_batch_start("password checker", sizeof(struct check_item), &policy, check_batch, checks);
		if (checks->batches[i] == NULL) {
			password_checks_stop(checks);
			return NULL;
		}
		checks->count++;
	}
	return checks;
}

enum password_checks_submit password_checks_submit(struct password_checks *checks, struct http_request *request,
                                                   const char *encoded_hash, const char *secret,
                                                   enum password_check *result, http_resume_fn resume)
{
	struct check_item item;
	item.queued_ns = time_monotonic_nanos();
	if (strlen(encoded_hash) >= sizeof(item.hash) || strlen(secret) >= sizeof(item.secret))
		return PASSWORD_CHECKS_FULL;
	snprintf(item.hash, sizeof(item.hash), "%s", encoded_hash);
	snprintf(item.secret, sizeof(item.secret), "%s", secret);
	unsigned first = atomic_fetch_add_explicit(&checks->next, 1, memory_order_relaxed);
	enum request_batch_submit submitted = REQUEST_BATCH_FULL;
	/* the next batch in turn, else any other with room */
	for (unsigned tried = 0; tried < checks->count && submitted == REQUEST_BATCH_FULL; tried++)
		submitted = request_batch_submit(checks->batches[(first + tried) % checks->count], request, &item,
		                                 resume, result);
	explicit_bzero(item.secret, sizeof(item.secret));
	if (submitted == REQUEST_BATCH_QUEUED)
		return PASSWORD_CHECKS_QUEUED;
	return submitted == REQUEST_BATCH_CLOSED ? PASSWORD_CHECKS_CLOSED : PASSWORD_CHECKS_FULL;
}

void password_checks_close(struct password_checks *checks)
{
	if (checks == NULL)
		return;
	for (unsigned i = 0; i < checks->count; i++)
		request_batch_close(checks->batches[i]);
}

void password_checks_stop(struct password_checks *checks)
{
	if (checks == NULL)
		return;
	for (unsigned i = 0; i < checks->count; i++)
		request_batch_stop(checks->batches[i], NULL, NULL);
	free(checks->batches);
	free(checks);
}
