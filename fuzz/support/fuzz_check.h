/* FUZZ_CHECK: an invariant a fuzz target asserts; a failure aborts, which libFuzzer reports as a
 * finding with the input that caused it. */
#ifndef CAMFLEET_FUZZ_CHECK_H
#define CAMFLEET_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

/* Aborts (a finding for libFuzzer) when an invariant does not hold. */
#define FUZZ_CHECK(condition)                                                                                          \
	do {                                                                                                           \
		if (!(condition)) {                                                                                    \
			fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #condition, __FILE__, __LINE__);        \
			abort();                                                                                       \
		}                                                                                                      \
	} while (0)

#endif
