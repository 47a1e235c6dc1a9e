/* The health-alert evaluator (README "Health alerts"): a thread that, every second, claims the
 * cameras whose alert_at_ms has come (store.h "Health alerts"; never a scan of the fleet), decides
 * for each with domain/health_alert.h (asking the site's opening hours when an alert would go
 * out) and applies the decision with its event in one transaction. On PostgreSQL every node runs
 * one; a claim leases the rows, so each alert is emitted by exactly one node. */
#ifndef CAMFLEET_JOBS_HEALTH_ALERTS_H
#define CAMFLEET_JOBS_HEALTH_ALERTS_H

struct app;
struct health_alerts;

/* Starts the thread; NULL (logged) on failure. */
struct health_alerts *health_alerts_start(struct app *app);
/* Stops the thread (the camera in hand is finished; the rest of a claimed batch is left to its
 * lease) and frees it; NULL: nothing. */
void health_alerts_stop(struct health_alerts *alerts);

#endif
