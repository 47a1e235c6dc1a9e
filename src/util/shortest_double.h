/* Doubles as the shortest decimal text that reads back to the same double ("0.9702", not
 * "0.97019999999999995"), for every number camfleet prints: JSON answers and the simulator. */
#ifndef CAMFLEET_UTIL_SHORTEST_DOUBLE_H
#define CAMFLEET_UTIL_SHORTEST_DOUBLE_H

#include <stddef.h>

/* Room for any double's text and the NUL ("-1.2345678901234567e-308"). */
#define SHORTEST_DOUBLE_SIZE 32

/* Writes value into out as JSON reads a real: the fewest significant digits (at most 17) whose
 * text strtod reads back as value; an integral value below 1e15 as "<integer>.0" (as jansson
 * writes reals, so that it still reads as a real). Not finite: "0.0" (JSON has no NaN or
 * infinity). Returns the length written (without the NUL). */
size_t shortest_double_format(double value, char out[SHORTEST_DOUBLE_SIZE]);

#endif
