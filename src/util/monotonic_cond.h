/* Condition variables timed on the monotonic clock, so a wait's deadline ignores changes of the
 * wall clock, and deadlines on that clock. */
#ifndef CAMFLEET_UTIL_MONOTONIC_COND_H
#define CAMFLEET_UTIL_MONOTONIC_COND_H

#include <pthread.h>
#include <time.h>

/* Initialises condition for pthread_cond_timedwait() deadlines on CLOCK_MONOTONIC; 0 or -1. */
int monotonic_cond_init(pthread_cond_t *condition) __attribute__((warn_unused_result));
/* The monotonic time millis milliseconds from now. */
struct timespec monotonic_deadline_after(long millis);

#endif
