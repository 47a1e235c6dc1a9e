/* The health metrics a simulated camera reports, as a small random process: values drift
 * smoothly around per-camera typical levels (mean-reverting random walks), the video backlog
 * now and then grows during a congestion episode and drains after it, and a paused camera
 * encodes nothing and sends nothing. Pure: the caller passes the elapsed time; randomness
 * comes from a seeded generator, so a seed replays the same history. */
#ifndef CAMFLEET_SIM_METRICS_H
#define CAMFLEET_SIM_METRICS_H

#include <stdbool.h>
#include <stdint.h>

/* Ranges the model keeps each metric in while the camera runs. */
#define METRICS_FRAMES_MIN  0.95
#define METRICS_FRAMES_MAX  1.0
#define METRICS_RATE_MIN    100000.0 /* bytes per second */
#define METRICS_RATE_MAX    1000000.0
#define METRICS_BACKLOG_MAX 600.0 /* seconds of video */
#define METRICS_LATENCY_MIN 0.5   /* seconds */
#define METRICS_LATENCY_MAX 8.0

/* A small fast generator (xorshift64*), one per camera. */
struct sim_random {
	uint64_t state;
};

/* Seeds the generator; any seed (zero included) gives a usable sequence. */
void sim_random_seed(struct sim_random *random, uint64_t seed);
/* The next 64 random bits. */
uint64_t sim_random_next(struct sim_random *random);
/* Uniform in [0, 1). */
double sim_random_uniform(struct sim_random *random);
/* Standard normal (mean 0, deviation 1). */
double sim_random_normal(struct sim_random *random);

struct sim_metrics {
	/* What the camera reports now. */
	double encoded_frames_proportion; /* 0..1 */
	double network_transmit_rate;     /* bytes per second */
	double video_backlog;             /* seconds of video waiting to upload */
	double video_upload_latency;      /* seconds */
	/* Video produced and sent since the last upload report (see metrics_take_upload). */
	double pending_bytes;
	double pending_seconds;
	/* The model's inner state. */
	double typical_rate;
	double congestion_left; /* seconds of congestion still to come; 0 when none */
	double congestion_growth;
	struct sim_random random;
};

/* Starts a camera's metrics at plausible values derived from seed. */
void metrics_init(struct sim_metrics *metrics, uint64_t seed);
/* Moves the model on by seconds (>= 0) of running or paused time. */
void metrics_advance(struct sim_metrics *metrics, double seconds, bool paused);
/* Hands back the bytes and seconds of video sent since the last call and resets them. */
void metrics_take_upload(struct sim_metrics *metrics, uint64_t *bytes, double *seconds);

#endif
