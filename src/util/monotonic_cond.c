/* Monotonic condition variables and deadlines (see monotonic_cond.h). */
#include "util/monotonic_cond.h"

int monotonic_cond_init(pthread_cond_t *condition)
{
	pthread_condattr_t attributes;
	if (pthread_condattr_init(&attributes) != 0)
		return -1;
	int rc = pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC);
	if (rc == 0)
		rc = pthread_cond_init(condition, &attributes);
	pthread_condattr_destroy(&attributes);
	return rc == 0 ? 0 : -1;
}

struct timespec monotonic_deadline_after(long millis)
{
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += millis / 1000;
	deadline.tv_nsec += (millis % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	return deadline;
}
