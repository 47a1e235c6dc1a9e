/* A counting gate (mutex + condition variable on the monotonic clock). */
#include "auth/password_gate.h"
#include "util/monotonic_cond.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_freed;
static unsigned gate_capacity; /* 0: no gate */
static unsigned gate_wait_ms;
static unsigned gate_taken;

int password_gate_configure(unsigned capacity, unsigned wait_ms)
{
	if (monotonic_cond_init(&gate_freed) != 0)
		return -1;
	gate_capacity = capacity;
	gate_wait_ms = wait_ms;
	return 0;
}

bool password_gate_enter(void)
{
	if (gate_capacity == 0)
		return true;
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += gate_wait_ms / 1000;
	deadline.tv_nsec += (long)(gate_wait_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&gate_lock);
	int waited = 0;
	while (gate_taken >= gate_capacity && waited != ETIMEDOUT)
		waited = pthread_cond_timedwait(&gate_freed, &gate_lock, &deadline);
	bool entered = gate_taken < gate_capacity;
	if (entered)
		gate_taken++;
	pthread_mutex_unlock(&gate_lock);
	return entered;
}

void password_gate_leave(void)
{
	if (gate_capacity == 0)
		return;
	pthread_mutex_lock(&gate_lock);
	gate_taken--;
	pthread_cond_signal(&gate_freed);
	pthread_mutex_unlock(&gate_lock);
}
