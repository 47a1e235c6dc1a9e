/* Request-head deadlines of HTTP connections (http/connection_deadlines.h): a list of the open
 * connections, each with the monotonic time its next request head is due (0: none, a request is
 * in progress), and one thread that shuts down the sockets past their deadline.
 *
 * A socket is shut down (never closed) with the lock held, and libmicrohttpd removes a connection
 * (MHD_CONNECTION_NOTIFY_CLOSED, with the same lock) before it closes its socket: the descriptor
 * shut down is always the connection's own, never a reused number. */
#include "http/connection_deadlines.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "util/log.h"
#include "util/monotonic_cond.h"
#include "util/thread_name.h"
#include "util/timeutil.h"

#define NANOS_PER_SECOND 1000000000ull
/* The thread sleeps until the earliest deadline, at least SHORTEST_SLEEP_NS (a scan walks every
 * open connection: at most two a second, however the deadlines are spread) and at most
 * LONGEST_SLEEP_NS (no longer than any deadline's length: none added while it sleeps is missed).
 * A connection is closed within half a second after its deadline. */
#define SHORTEST_SLEEP_NS (NANOS_PER_SECOND / 2)
#define LONGEST_SLEEP_NS  NANOS_PER_SECOND

struct connection_deadline {
	struct connection_deadline *previous, *next; /* guarded by the lock */
	atomic_uint_fast64_t due_ns;                 /* time_monotonic_nanos() of the deadline; 0: none */
	int fd;
	bool shut; /* its socket was shut down (guarded by the lock) */
};

struct connection_deadlines {
	pthread_mutex_t lock;
	pthread_cond_t wake; /* signalled to stop */
	pthread_t thread;
	bool stopping;                     /* guarded by the lock */
	struct connection_deadline *first; /* every open connection; guarded by the lock */
	uint64_t first_head_ns, next_head_ns;
	unsigned first_head_seconds, next_head_seconds;
};

/* The deadline length_ns from now; 0 (none) for a length of 0. */
static uint64_t due_after(uint64_t length_ns)
{
	return length_ns == 0 ? 0 : time_monotonic_nanos() + length_ns;
}

struct connection_deadline *connection_deadlines_add(struct connection_deadlines *deadlines, int fd)
{
	struct connection_deadline *deadline = calloc(1, sizeof(*deadline));
	if (deadline == NULL)
		return NULL;
	deadline->fd = fd;
	atomic_init(&deadline->due_ns, due_after(deadlines->first_head_ns));
	pthread_mutex_lock(&deadlines->lock);
	deadline->next = deadlines->first;
	if (deadlines->first != NULL)
		deadlines->first->previous = deadline;
	deadlines->first = deadline;
	pthread_mutex_unlock(&deadlines->lock);
	return deadline;
}

void connection_deadlines_remove(struct connection_deadlines *deadlines, struct connection_deadline *deadline)
{
	pthread_mutex_lock(&deadlines->lock);
	if (deadline->previous != NULL)
		deadline->previous->next = deadline->next;
	else
		deadlines->first = deadline->next;
	if (deadline->next != NULL)
		deadline->next->previous = deadline->previous;
	pthread_mutex_unlock(&deadlines->lock);
	free(deadline);
}

void connection_deadline_clear(struct connection_deadline *deadline)
{
	atomic_store_explicit(&deadline->due_ns, 0, memory_order_relaxed);
}

void connection_deadline_rearm(struct connection_deadlines *deadlines, struct connection_deadline *deadline)
{
	atomic_store_explicit(&deadline->due_ns, due_after(deadlines->next_head_ns), memory_order_relaxed);
}

/* With the lock held: shuts down the sockets past their deadline at now; the earliest deadline
 * still ahead (UINT64_MAX: none) in *next_due, the number shut down returned. */
static unsigned shut_overdue(struct connection_deadlines *deadlines, uint64_t now, uint64_t *next_due)
{
	unsigned shut = 0;
	*next_due = UINT64_MAX;
	for (struct connection_deadline *deadline = deadlines->first; deadline != NULL; deadline = deadline->next) {
		uint64_t due = atomic_load_explicit(&deadline->due_ns, memory_order_relaxed);
		if (due == 0 || deadline->shut)
			continue;
		if (due > now) {
			if (due < *next_due)
				*next_due = due;
			continue;
		}
		if (shutdown(deadline->fd, SHUT_RDWR) == 0)
			shut++;
		deadline->shut = true; /* an error: the connection is already ending */
	}
	return shut;
}

static void *enforce_deadlines(void *argument)
{
	struct connection_deadlines *deadlines = argument;
	thread_name_set("head-timeouts");
	pthread_mutex_lock(&deadlines->lock);
	while (!deadlines->stopping) {
		uint64_t now = time_monotonic_nanos(), next_due;
		unsigned shut = shut_overdue(deadlines, now, &next_due);
		if (shut > 0)
			log_info(
			    "http: closed %u connection%s without a complete request head in time (%u s after being "
			    "accepted, %u s after an answer)",
			    shut, shut == 1 ? "" : "s", deadlines->first_head_seconds, deadlines->next_head_seconds);
		uint64_t wake_at = now + LONGEST_SLEEP_NS;
		if (next_due < wake_at)
			wake_at = next_due > now + SHORTEST_SLEEP_NS ? next_due : now + SHORTEST_SLEEP_NS;
		struct timespec until = {.tv_sec = (time_t)(wake_at / NANOS_PER_SECOND),
		                         .tv_nsec = (long)(wake_at % NANOS_PER_SECOND)};
		pthread_cond_timedwait(&deadlines->wake, &deadlines->lock, &until);
	}
	pthread_mutex_unlock(&deadlines->lock);
	return NULL;
}

struct connection_deadlines *connection_deadlines_start(unsigned first_head_seconds, unsigned next_head_seconds)
{
	struct connection_deadlines *deadlines = calloc(1, sizeof(*deadlines));
	if (deadlines == NULL)
		return NULL;
	deadlines->first_head_seconds = first_head_seconds;
	deadlines->next_head_seconds = next_head_seconds;
	deadlines->first_head_ns = (uint64_t)first_head_seconds * NANOS_PER_SECOND;
	deadlines->next_head_ns = (uint64_t)next_head_seconds * NANOS_PER_SECOND;
	if (pthread_mutex_init(&deadlines->lock, NULL) != 0) {
		free(deadlines);
		return NULL;
	}
	if (monotonic_cond_init(&deadlines->wake) != 0) {
		pthread_mutex_destroy(&deadlines->lock);
		free(deadlines);
		return NULL;
	}
	if (pthread_create(&deadlines->thread, NULL, enforce_deadlines, deadlines) != 0) {
		log_error("http: cannot start the request-head timeout thread");
		pthread_cond_destroy(&deadlines->wake);
		pthread_mutex_destroy(&deadlines->lock);
		free(deadlines);
		return NULL;
	}
	return deadlines;
}

void connection_deadlines_stop(struct connection_deadlines *deadlines)
{
	if (deadlines == NULL)
		return;
	pthread_mutex_lock(&deadlines->lock);
	deadlines->stopping = true;
	pthread_cond_signal(&deadlines->wake);
	pthread_mutex_unlock(&deadlines->lock);
	pthread_join(deadlines->thread, NULL);
	while (deadlines->first != NULL) /* none, once the daemon stopped; freed all the same */
		connection_deadlines_remove(deadlines, deadlines->first);
	pthread_cond_destroy(&deadlines->wake);
	pthread_mutex_destroy(&deadlines->lock);
	free(deadlines);
}
