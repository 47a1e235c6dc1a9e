/* Where a webhook may point: an absolute http or https URL with a host, and — unless private
 * addresses are allowed — a host whose every address is public (domain/webhook.h's rule). Checked
 * when a webhook is created or its URL changed; the sender checks again at each connection, so a
 * name that later resolves elsewhere (DNS rebinding) is refused then. */
#ifndef CAMFLEET_WEBHOOKS_TARGET_H
#define CAMFLEET_WEBHOOKS_TARGET_H

#include <stdbool.h>

/* NULL when url may receive deliveries, else why not (a static text for the client). Resolves the
 * host (blocking, through the system resolver) unless allow_private. */
const char *webhook_target_problem(const char *url, bool allow_private);

#endif
