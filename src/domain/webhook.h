/* Webhooks as the domain sees them: the event types a webhook subscribes to, its signing secret
 * and the Standard Webhooks signature (standardwebhooks.com), the retry schedule of a failed
 * delivery, and which network addresses a delivery may never reach. Pure: no I/O (the secret's
 * random bytes come in from the caller). */
#ifndef CAMFLEET_DOMAIN_WEBHOOK_H
#define CAMFLEET_DOMAIN_WEBHOOK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "domain/event.h"

struct sockaddr;

#define WEBHOOK_URL_MAX           2048                            /* bytes of a webhook's URL */
#define WEBHOOK_DESCRIPTION_CHARS 500                             /* characters of its description */
#define WEBHOOK_DESCRIPTION_MAX   (4 * WEBHOOK_DESCRIPTION_CHARS) /* their bytes in UTF-8, without NUL */
#define WEBHOOK_ALL_EVENTS        0x7fffffff /* the mask of "events": ["*"]: every type, also future ones */

/* "whsec_" + standard base64 of WEBHOOK_SECRET_BYTES random bytes, with its NUL. */
#define WEBHOOK_SECRET_BYTES  32
#define WEBHOOK_SECRET_PREFIX "whsec_"
#define WEBHOOK_SECRET_SIZE   64

/* A delivery's status. */
enum delivery_status { DELIVERY_PENDING, DELIVERY_SUCCEEDED, DELIVERY_FAILED };
const char *delivery_status_name(enum delivery_status status);
bool delivery_status_from_name(const char *name, enum delivery_status *out);

/* The mask of a JSON "events" array: names of event types, or the single "*". False (with a
 * reason for the client in problem) when it is not a non-empty array of known names or "*" (or
 * names webhook.test, which only POST /webhooks/{id}/test sends). */
bool webhook_event_mask_from_json(const json_t *events, unsigned *mask, const char **problem);
/* The "events" array of a mask: ["*"] for WEBHOOK_ALL_EVENTS, else the names in type order. NULL
 * when out of memory. */
json_t *webhook_event_mask_json(unsigned mask);

/* The data of a webhook.disabled event as compact JSON text (malloc'd; NULL when out of memory):
 * {"webhookId", "url", "failingSince": RFC 3339}. */
char *webhook_disabled_data(const char *webhook_id, const char *url, int64_t failing_since_ms);

/* Writes "whsec_" + base64 of random (WEBHOOK_SECRET_BYTES bytes) into out. */
void webhook_secret_format(const unsigned char random[WEBHOOK_SECRET_BYTES], char out[WEBHOOK_SECRET_SIZE]);

/* The signature header of Standard Webhooks for one message, "v1,<base64 HMAC-SHA256 of
 * "msg_id.timestamp.body" keyed by the secret's decoded bytes>", and when previous is not NULL a
 * space and the same by previous. Returns a malloc'd text, or NULL when a secret is not a whsec_
 * secret or memory ran out. */
char *webhook_signature_header(const char *secret, const char *previous, const char *msg_id, int64_t timestamp,
                               const char *body, size_t body_length);

/* The waits after failed attempts, in seconds: the n-th failed attempt (n from 1) waits steps[n-1],
 * and an attempt that fails after the last step is final. */
#define RETRY_SCHEDULE_MAX_STEPS 20
#define RETRY_STEP_MAX_SECONDS   (7 * 86400)
struct retry_schedule {
	unsigned steps[RETRY_SCHEDULE_MAX_STEPS];
	size_t count;
};
/* Parses "5,300,1800" (1 to RETRY_SCHEDULE_MAX_STEPS whole seconds, each 1 to
 * RETRY_STEP_MAX_SECONDS). */
bool retry_schedule_parse(const char *text, struct retry_schedule *out);
/* When to try again after the failed_attempts-th failed attempt counted from the schedule's start
 * (>= 1), failed at now_ms: the step plus or minus 10% (jitter in [0, 1) picks where), or -1
 * when the schedule is exhausted and the delivery has failed for good. */
int64_t retry_schedule_next_ms(const struct retry_schedule *schedule, unsigned failed_attempts, int64_t now_ms,
                               double jitter);

/* Whether a delivery must never connect to address: loopback, private (RFC 1918, unique local),
 * carrier-grade NAT, link-local (with the cloud metadata service 169.254.169.254), unspecified,
 * multicast, broadcast, reserved and documentation ranges, also when IPv4 comes mapped into IPv6.
 * Unknown address families count as private. */
bool webhook_address_is_private(const struct sockaddr *address);

#endif
