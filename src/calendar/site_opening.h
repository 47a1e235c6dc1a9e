/* Whether a site is open at an instant by its opening hours, and when it next opens: what the
 * health-alert evaluator (jobs/health_alerts.c) asks before it alerts. A site with no opening
 * hours at all (no weekly schedule, no exception) is always open. */
#ifndef CAMFLEET_CALENDAR_SITE_OPENING_H
#define CAMFLEET_CALENDAR_SITE_OPENING_H

#include <stdint.h>

#include "domain/health_alert.h"
#include "store/store.h"

/* The site's opening at now_ms into out: open, or closed with its next opening within
 * ALERT_OPENING_HORIZON_DAYS (0 when none). STORE_ERROR also when its zone or stored hours fail. */
enum store_result site_opening_at(struct store *store, const struct site *site, int64_t now_ms,
                                  struct site_opening *out) __attribute__((warn_unused_result));

#endif
