/* Shortest round-trip text of a double (see shortest_double.h). A double has 15 significant
 * decimal digits that always survive (DBL_DIG): "%.15g" is the correctly rounded 15-digit text,
 * with trailing zeros dropped, so when any text of 15 digits or fewer reads back as the value this
 * one does and nothing shorter exists. Otherwise 16 digits, and 17 always read back. */
#include "util/shortest_double.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

size_t shortest_double_format(double value, char out[SHORTEST_DOUBLE_SIZE])
{
	if (!isfinite(value))
		value = 0.0;
	if (value == floor(value) && fabs(value) < 1e15) {
		/* integral: "%lld.0" keeps the real a real; -0.0 keeps its sign as jansson writes it */
		int length = snprintf(out, SHORTEST_DOUBLE_SIZE, "%s%lld.0", signbit(value) && value == 0.0 ? "-" : "",
		                      (long long)value);
		return (size_t)length;
	}
	int length = 0;
	for (int digits = 15; digits <= 17; digits++) {
		length = snprintf(out, SHORTEST_DOUBLE_SIZE, "%.*g", digits, value);
		if (strtod(out, NULL) == value)
			break;
	}
	return (size_t)length;
}
