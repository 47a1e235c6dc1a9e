/* Shortest round-trip text of doubles (util/shortest_double.c): the examples, integral
 * values, the edges, and a sweep of random doubles that must all read back exactly with at most
 * 17 significant digits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <stdbool.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/shortest_double.h"

static void assert_text(double value, const char *expected)
{
	char text[SHORTEST_DOUBLE_SIZE];
	size_t length = shortest_double_format(value, text);
	assert_string_equal(text, expected);
	assert_int_equal(length, strlen(expected));
}

static void test_metrics_print_as_written(void **state)
{
	(void)state;
	assert_text(0.9702, "0.9702");
	assert_text(1.336, "1.336");
	assert_text(0.1, "0.1");
	assert_text(0.1 + 0.2, "0.30000000000000004"); /* 17 digits: nothing shorter reads back */
	assert_text(250000.5, "250000.5");
	assert_text(1e-05, "1e-05");
	assert_text(-2.75, "-2.75");
}

static void test_integral_values_stay_reals(void **state)
{
	(void)state;
	assert_text(0.0, "0.0");
	assert_text(-0.0, "-0.0");
	assert_text(1.0, "1.0");
	assert_text(250000.0, "250000.0");
	assert_text(-42.0, "-42.0");
	assert_text(1e20, "1e+20");
}

static void test_not_finite_prints_zero(void **state)
{
	(void)state;
	assert_text(NAN, "0.0");
	assert_text(INFINITY, "0.0");
	assert_text(-INFINITY, "0.0");
}

static void test_edges_read_back(void **state)
{
	(void)state;
	const double edges[] = {DBL_MAX,     -DBL_MAX,          DBL_MIN,    DBL_TRUE_MIN,
	                        DBL_EPSILON, 1.0 + DBL_EPSILON, 1e15 + 0.5, 123456789012345.6};
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		char text[SHORTEST_DOUBLE_SIZE];
		shortest_double_format(edges[i], text);
		assert_true(strtod(text, NULL) == edges[i]);
	}
}

/* Digits of text's mantissa, without leading zeros (and without ".0" of an integral value). */
static size_t significant_digits(const char *text)
{
	size_t digits = 0;
	bool leading = true;
	for (const char *c = text; *c != '\0' && *c != 'e'; c++) {
		if (*c < '0' || *c > '9')
			continue;
		if (leading && *c == '0')
			continue;
		leading = false;
		digits++;
	}
	size_t length = strlen(text);
	if (digits > 0 && length > 2 && strcmp(text + length - 2, ".0") == 0)
		digits--;
	return digits;
}

/* Random bit patterns (finite ones) and random short decimals: every text reads back, none is
 * longer than %.17g's, and a decimal of few digits prints as those digits. */
static void test_random_doubles_round_trip(void **state)
{
	(void)state;
	uint64_t x = 0x9E3779B97F4A7C15ULL;
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		double value;
		memcpy(&value, &x, sizeof(value));
		if (!isfinite(value))
			continue;
		char text[SHORTEST_DOUBLE_SIZE];
		size_t length = shortest_double_format(value, text);
		assert_true(length < SHORTEST_DOUBLE_SIZE);
		assert_true(strtod(text, NULL) == value);
		assert_true(significant_digits(text) <= 17);
	}
	for (int i = 1; i < 100000; i++) {
		char decimal[32], text[SHORTEST_DOUBLE_SIZE];
		snprintf(decimal, sizeof(decimal), "0.%04d", i % 10000);
		double value = strtod(decimal, NULL);
		if (value == 0.0)
			continue;
		shortest_double_format(value, text);
		assert_true(strtod(text, NULL) == value);
		assert_true(strlen(text) <= strlen(decimal));
	}
}

/* The fewest significant digits any text of value needs (the slow, obvious way). */
static size_t fewest_digits(double value)
{
	char text[40];
	for (int digits = 1; digits <= 17; digits++) {
		snprintf(text, sizeof(text), "%.*g", digits, value);
		if (strtod(text, NULL) == value)
			return (size_t)digits;
	}
	return 17;
}

/* Values in the fast path's range, random and short: never more digits than needed. */
static void test_never_more_digits_than_needed(void **state)
{
	(void)state;
	uint64_t x = 0x2545F4914F6CDD1DULL;
	for (int i = 0; i < 100000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		double unit = (double)(x >> 11) / 9007199254740992.0; /* [0, 1) */
		double values[] = {unit, unit * 1000.0, round(unit * 1e6) / 1e4, round(unit * 1e9) / 1e3, unit * 1e-2};
		for (size_t k = 0; k < sizeof(values) / sizeof(values[0]); k++) {
			double value = values[k];
			if (value == floor(value))
				continue; /* integral values are written "<n>.0" on purpose */
			char text[SHORTEST_DOUBLE_SIZE];
			shortest_double_format(value, text);
			assert_true(strtod(text, NULL) == value);
			assert_true(significant_digits(text) <= fewest_digits(value));
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_metrics_print_as_written),  cmocka_unit_test(test_integral_values_stay_reals),
	    cmocka_unit_test(test_not_finite_prints_zero),    cmocka_unit_test(test_edges_read_back),
	    cmocka_unit_test(test_random_doubles_round_trip), cmocka_unit_test(test_never_more_digits_than_needed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
