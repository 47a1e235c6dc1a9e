/* Mean-reverting random walks (discretised Ornstein-Uhlenbeck, one-second steps) for the four
 * camera metrics, plus congestion episodes that make the backlog grow for a while. */
#include "sim/metrics.h"

#include <math.h>

#define STEP_SECONDS             1.0
#define CONGESTION_PER_SECOND    (1.0 / 900.0) /* one episode every quarter of an hour, on average */
#define BACKLOG_DRAIN_PER_SECOND 0.5

void sim_random_seed(struct sim_random *random, uint64_t seed)
{
	/* splitmix64 scrambles the seed, so neighbouring seeds give unrelated sequences. */
	uint64_t z = seed + 0x9E3779B97F4A7C15ull;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	z ^= z >> 31;
	random->state = z != 0 ? z : 0x2545F4914F6CDD1Dull;
}

uint64_t sim_random_next(struct sim_random *random)
{
	uint64_t x = random->state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	random->state = x;
	return x * 0x2545F4914F6CDD1Dull;
}

double sim_random_uniform(struct sim_random *random)
{
	return (double)(sim_random_next(random) >> 11) * (1.0 / 9007199254740992.0);
}

double sim_random_normal(struct sim_random *random)
{
	/* Box-Muller; 1 - u keeps the logarithm's argument in (0, 1]. */
	double u = 1.0 - sim_random_uniform(random);
	double v = sim_random_uniform(random);
	return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

static double clamp(double value, double low, double high)
{
	return value < low ? low : value > high ? high : value;
}

/* One step of a walk pulled towards mean with time constant tau and noise of size sigma. */
static double revert(struct sim_random *random, double value, double mean, double tau, double sigma, double step)
{
	return value + (mean - value) * (step / tau) + sigma * sqrt(2.0 * step / tau) * sim_random_normal(random);
}

void metrics_init(struct sim_metrics *metrics, uint64_t seed)
{
	sim_random_seed(&metrics->random, seed);
	metrics->typical_rate = 250000.0 + 300000.0 * sim_random_uniform(&metrics->random);
	metrics->encoded_frames_proportion = 0.97 + 0.025 * sim_random_uniform(&metrics->random);
	metrics->network_transmit_rate = metrics->typical_rate;
	metrics->video_backlog = 0.5 * sim_random_uniform(&metrics->random);
	metrics->video_upload_latency = 1.2 + 1.2 * sim_random_uniform(&metrics->random);
	metrics->pending_bytes = 0.0;
	metrics->pending_seconds = 0.0;
	metrics->congestion_left = 0.0;
	metrics->congestion_growth = 0.0;
}

static void step_congestion(struct sim_metrics *metrics, double step)
{
	if (metrics->congestion_left > 0.0) {
		metrics->congestion_left -= step;
		metrics->video_backlog += metrics->congestion_growth * step;
		return;
	}
	if (sim_random_uniform(&metrics->random) < CONGESTION_PER_SECOND * step) {
		metrics->congestion_left = 20.0 + 100.0 * sim_random_uniform(&metrics->random);
		metrics->congestion_growth = 0.2 + 0.4 * sim_random_uniform(&metrics->random);
		return;
	}
	metrics->video_backlog -= BACKLOG_DRAIN_PER_SECOND * step;
	if (metrics->video_backlog < 0.3)
		metrics->video_backlog += 0.3 * sim_random_uniform(&metrics->random) * step;
}

static void step_running(struct sim_metrics *metrics, double step)
{
	bool congested = metrics->congestion_left > 0.0;
	double frames_mean = congested ? 0.965 : 0.985;
	double rate_mean = congested ? 0.7 * metrics->typical_rate : metrics->typical_rate;
	struct sim_random *random = &metrics->random;
	metrics->encoded_frames_proportion =
	    clamp(revert(random, metrics->encoded_frames_proportion, frames_mean, 60.0, 0.006, step),
	          METRICS_FRAMES_MIN, METRICS_FRAMES_MAX);
	metrics->network_transmit_rate =
	    clamp(revert(random, metrics->network_transmit_rate, rate_mean, 30.0, 0.06 * metrics->typical_rate, step),
	          METRICS_RATE_MIN, METRICS_RATE_MAX);
	step_congestion(metrics, step);
	metrics->video_backlog = clamp(metrics->video_backlog, 0.0, METRICS_BACKLOG_MAX);
	double latency_mean = 1.8 + 0.05 * metrics->video_backlog;
	metrics->video_upload_latency =
	    clamp(revert(random, metrics->video_upload_latency, latency_mean, 30.0, 0.25, step), METRICS_LATENCY_MIN,
	          METRICS_LATENCY_MAX);
	metrics->pending_bytes += metrics->network_transmit_rate * step;
	metrics->pending_seconds += step;
}

static void step_paused(struct sim_metrics *metrics)
{
	/* Nothing is encoded or sent; what waited to upload is dropped with the pipeline. The
	 * last upload latency stays as it was measured. */
	metrics->encoded_frames_proportion = 0.0;
	metrics->network_transmit_rate = 0.0;
	metrics->video_backlog = 0.0;
	metrics->congestion_left = 0.0;
}

void metrics_advance(struct sim_metrics *metrics, double seconds, bool paused)
{
	if (!(seconds > 0.0))
		return;
	if (paused) {
		step_paused(metrics);
		return;
	}
	if (metrics->encoded_frames_proportion < METRICS_FRAMES_MIN) {
		/* Resuming after a pause: the encoder comes back at its usual level. */
		metrics->encoded_frames_proportion = 0.985;
		metrics->network_transmit_rate = metrics->typical_rate;
	}
	while (seconds > 0.0) {
		double step = seconds < STEP_SECONDS ? seconds : STEP_SECONDS;
		step_running(metrics, step);
		seconds -= step;
	}
}

void metrics_take_upload(struct sim_metrics *metrics, uint64_t *bytes, double *seconds)
{
	*bytes = (uint64_t)metrics->pending_bytes;
	*seconds = metrics->pending_seconds;
	metrics->pending_bytes = 0.0;
	metrics->pending_seconds = 0.0;
}
