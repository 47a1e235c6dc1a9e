/* Housekeeping: a thread that keeps what the store holds within its documented bounds — events
 * older than --event-retention-days, raw video upload reports older than 48 hours and hourly upload
 * totals older than --upload-metrics-retention-days are deleted, at start and every few minutes, in
 * batches so that a large backlog never holds the database for long. */
#ifndef CAMFLEET_JOBS_HOUSEKEEPING_H
#define CAMFLEET_JOBS_HOUSEKEEPING_H

struct app;
struct housekeeping;

/* Starts the thread (its first round runs at once); NULL (logged) on failure. */
struct housekeeping *housekeeping_start(struct app *app);
/* Stops the thread (a batch in hand finishes) and frees it; NULL: nothing. */
void housekeeping_stop(struct housekeeping *housekeeping);

#endif
