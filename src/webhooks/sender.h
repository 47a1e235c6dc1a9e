/* The webhook sender: one thread per node that claims due deliveries from the store (under a
 * lease, so nodes never send one delivery at once), POSTs them signed per Standard Webhooks through
 * libcurl's multi interface (many at once on one thread, bounded overall and per webhook), and
 * writes each attempt's outcome: success on any 2xx within 10 s, else a retry by the schedule or,
 * once it is spent, failure. Redirects are not followed, the answer's body is read up to 64 KiB,
 * and — unless allowed — every connection to a private address is refused. */
#ifndef CAMFLEET_WEBHOOKS_SENDER_H
#define CAMFLEET_WEBHOOKS_SENDER_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/webhook.h"
#include "store/store.h"

struct webhook_sender_settings {
	struct retry_schedule schedule;
	int64_t disable_after_ms; /* a webhook failing this long is disabled */
	unsigned concurrency;     /* deliveries in flight from this node */
	unsigned per_webhook;     /* deliveries in flight to one webhook */
	bool allow_private;       /* may connect to private addresses */
	unsigned timeout_ms;      /* an attempt's whole time: connection, request, answer */
};

struct webhook_sender;

/* Starts the sender's thread; NULL (logged) on failure. curl_global_init must have run. */
struct webhook_sender *webhook_sender_start(struct store *store, const struct webhook_sender_settings *settings);
/* Makes the sender look for due deliveries now instead of at its next poll (250 ms). Any thread. */
void webhook_sender_wake(struct webhook_sender *sender);
/* Stops the thread: attempts still in flight are abandoned and their leases handed back, so they
 * are tried again at once (by another node, or after a restart). NULL is ignored. */
void webhook_sender_stop(struct webhook_sender *sender);

#endif
