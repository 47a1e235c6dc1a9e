/* Shortest round-trip text of a double (see shortest_double.h). Values with a few decimals take an
 * exact fast path (fixed_decimals). Otherwise: a double has 15 significant
 * decimal digits that always survive (DBL_DIG): "%.15g" is the correctly rounded 15-digit text,
 * with trailing zeros dropped, so when any text of 15 digits or fewer reads back as the value this
 * one does and nothing shorter exists. Otherwise 16 digits, and 17 always read back. */
#include "util/shortest_double.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

/* 10^0 .. 10^15, exact as doubles. */
static const double powers_of_ten[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

/* Writes n with the decimal point `decimals` digits from its right ("0.05" for n 5, 2 decimals;
 * "7.0" for n 70, 1 decimal) and a leading '-' when negative; returns the length. No printf: this
 * is the hot path of every camera listing. */
static size_t write_point_number(bool negative, unsigned long long n, int decimals, char out[SHORTEST_DOUBLE_SIZE])
{
	char digits[24]; /* n < 2^53 or < 10^15: at most 20 digits with the leading zeros */
	int count = 0;
	for (unsigned long long rest = n; rest > 0 || count <= decimals; rest /= 10)
		digits[count++] = (char)('0' + rest % 10);
	size_t length = 0;
	if (negative)
		out[length++] = '-';
	while (count > 0) {
		out[length++] = digits[--count];
		if (count == decimals && count > 0)
			out[length++] = '.';
	}
	out[length] = '\0';
	return length;
}

/* The fast path for what metrics are (a few decimals, 1e-3 <= |value| < 1e9; smaller ones read shorter
 * with an exponent): the fewest
 * decimals d for which the integer n nearest value * 10^d gives back value as n / 10^d. That
 * division of two exact doubles is correctly rounded, exactly as strtod reads the text "n with
 * d decimals", so the check is exact without formatting or parsing anything. Writes that text
 * and returns its length; 0 when no d up to 15 works (the general path decides). */
static size_t fixed_decimals(double value, char out[SHORTEST_DOUBLE_SIZE])
{
	double magnitude = fabs(value);
	if (!(magnitude >= 1e-3 && magnitude < 1e9))
		return 0;
	for (int d = 1; d <= 15; d++) {
		double scaled = magnitude * powers_of_ten[d];
		if (scaled >= 9007199254740992.0) /* 2^53: n would not be exact */
			return 0;
		long long n = llround(scaled);
		if ((double)n / powers_of_ten[d] != magnitude)
			continue;
		return write_point_number(value < 0, (unsigned long long)n, d, out);
	}
	return 0;
}

size_t shortest_double_format(double value, char out[SHORTEST_DOUBLE_SIZE])
{
	if (!isfinite(value))
		value = 0.0;
	if (value == floor(value) && fabs(value) < 1e15) {
		/* integral: "<n>.0" keeps the real a real; -0.0 keeps its sign as jansson writes it */
		unsigned long long n = (unsigned long long)fabs(value) * 10;
		return write_point_number(signbit(value), n, 1, out);
	}
	size_t fixed = fixed_decimals(value, out);
	if (fixed > 0)
		return fixed;
	int length = 0;
	for (int digits = 15; digits <= 17; digits++) {
		length = snprintf(out, SHORTEST_DOUBLE_SIZE, "%.*g", digits, value);
		if (strtod(out, NULL) == value)
			break;
	}
	return (size_t)length;
}
