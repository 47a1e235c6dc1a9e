/* The simulated cameras' metrics: always within their ranges, smoothly varying, a backlog that
 * sometimes grows and drains, nothing while paused, upload reports that match the rate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "sim/metrics.h"

static void assert_in_ranges(const struct sim_metrics *m)
{
	assert_true(m->encoded_frames_proportion >= METRICS_FRAMES_MIN &&
	            m->encoded_frames_proportion <= METRICS_FRAMES_MAX);
	assert_true(m->network_transmit_rate >= METRICS_RATE_MIN && m->network_transmit_rate <= METRICS_RATE_MAX);
	assert_true(m->video_backlog >= 0.0 && m->video_backlog <= METRICS_BACKLOG_MAX);
	assert_true(m->video_upload_latency >= METRICS_LATENCY_MIN && m->video_upload_latency <= METRICS_LATENCY_MAX);
}

static void test_metrics_stay_in_ranges_for_a_day(void **state)
{
	for (uint64_t seed = 1; seed <= 20; seed++) {
		struct sim_metrics m;
		metrics_init(&m, seed);
		assert_in_ranges(&m);
		struct sim_random steps;
		sim_random_seed(&steps, seed * 977);
		for (double t = 0; t < 86400.0;) {
			double dt = 0.2 + 60.0 * sim_random_uniform(&steps);
			metrics_advance(&m, dt, false);
			t += dt;
			assert_in_ranges(&m);
		}
	}
}

static void test_metrics_are_typical_on_average(void **state)
{
	struct sim_metrics m;
	metrics_init(&m, 99);
	double frames = 0, latency = 0, backlog = 0;
	int samples = 0;
	for (int i = 0; i < 6 * 3600 / 30; i++, samples++) {
		metrics_advance(&m, 30.0, false);
		frames += m.encoded_frames_proportion;
		latency += m.video_upload_latency;
		backlog += m.video_backlog;
	}
	assert_true(frames / samples > 0.96);
	assert_true(latency / samples > 1.0 && latency / samples < 3.5);
	assert_true(backlog / samples < 10.0);
}

static void test_metrics_vary_smoothly(void **state)
{
	struct sim_metrics m;
	metrics_init(&m, 5);
	double previous = m.network_transmit_rate, low = previous, high = previous;
	for (int i = 0; i < 600; i++) {
		metrics_advance(&m, 1.0, false);
		/* One second moves the rate by a few percent at most... */
		assert_true(fabs(m.network_transmit_rate - previous) < 0.25 * previous);
		previous = m.network_transmit_rate;
		low = fmin(low, previous);
		high = fmax(high, previous);
	}
	/* ...but ten minutes see it change. */
	assert_true(high - low > 1000.0);
}

static void test_backlog_sometimes_grows_and_drains(void **state)
{
	int seeds_with_growth = 0;
	for (uint64_t seed = 1; seed <= 10; seed++) {
		struct sim_metrics m;
		metrics_init(&m, seed);
		double peak = 0;
		for (int i = 0; i < 4 * 3600; i++) {
			metrics_advance(&m, 1.0, false);
			peak = fmax(peak, m.video_backlog);
		}
		if (peak > 5.0)
			seeds_with_growth++;
		for (int i = 0; i < 3600 && m.congestion_left > 0; i++)
			metrics_advance(&m, 1.0, false);
		for (int i = 0; i < 1200; i++) /* no new episode is certain in this span, so only bound it */
			metrics_advance(&m, 1.0, false);
		assert_true(m.video_backlog <= METRICS_BACKLOG_MAX);
	}
	assert_true(seeds_with_growth >= 5);
}

static void test_paused_camera_encodes_and_sends_nothing(void **state)
{
	struct sim_metrics m;
	metrics_init(&m, 3);
	metrics_advance(&m, 10.0, false);
	uint64_t bytes;
	double seconds;
	metrics_take_upload(&m, &bytes, &seconds);
	metrics_advance(&m, 120.0, true);
	assert_true(m.encoded_frames_proportion == 0.0);
	assert_true(m.network_transmit_rate == 0.0);
	assert_true(m.video_backlog == 0.0);
	assert_true(m.video_upload_latency > 0.0);
	metrics_take_upload(&m, &bytes, &seconds);
	assert_int_equal(bytes, 0);
	assert_true(seconds == 0.0);
	metrics_advance(&m, 5.0, false); /* resumed */
	assert_in_ranges(&m);
}

static void test_upload_report_matches_the_rate(void **state)
{
	struct sim_metrics m;
	metrics_init(&m, 11);
	metrics_advance(&m, 60.0, false);
	uint64_t bytes;
	double seconds;
	metrics_take_upload(&m, &bytes, &seconds);
	assert_true(fabs(seconds - 60.0) < 1e-9);
	double rate = (double)bytes / seconds;
	assert_true(rate >= METRICS_RATE_MIN && rate <= METRICS_RATE_MAX);
	metrics_take_upload(&m, &bytes, &seconds);
	assert_int_equal(bytes, 0);
}

static void test_same_seed_same_history(void **state)
{
	struct sim_metrics a, b;
	metrics_init(&a, 1234);
	metrics_init(&b, 1234);
	for (int i = 0; i < 100; i++) {
		metrics_advance(&a, 3.0, false);
		metrics_advance(&b, 3.0, false);
	}
	assert_true(a.network_transmit_rate == b.network_transmit_rate);
	assert_true(a.video_backlog == b.video_backlog);
}

static void test_random_uniform_in_unit_interval(void **state)
{
	struct sim_random random;
	sim_random_seed(&random, 0);
	double sum = 0;
	for (int i = 0; i < 100000; i++) {
		double u = sim_random_uniform(&random);
		assert_true(u >= 0.0 && u < 1.0);
		sum += u;
	}
	assert_true(fabs(sum / 100000 - 0.5) < 0.01);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_metrics_stay_in_ranges_for_a_day),
	    cmocka_unit_test(test_metrics_are_typical_on_average),
	    cmocka_unit_test(test_metrics_vary_smoothly),
	    cmocka_unit_test(test_backlog_sometimes_grows_and_drains),
	    cmocka_unit_test(test_paused_camera_encodes_and_sends_nothing),
	    cmocka_unit_test(test_upload_report_matches_the_rate),
	    cmocka_unit_test(test_same_seed_same_history),
	    cmocka_unit_test(test_random_uniform_in_unit_interval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
