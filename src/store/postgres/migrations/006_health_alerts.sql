-- Health alerts (README "Health alerts"): each camera's alert state and the one instant the
-- evaluator (jobs/health_alerts.c) must look at it next, indexed so that a round reads only the
-- cameras due; a site's open site.offline.
-- alert_state: 0 none, 1 camera.offline emitted, 2 covered by its site's site.offline; then
-- alert_sent_at_ms is when the alert went out and alert_offline_since_ms what it said.
ALTER TABLE cameras ADD COLUMN alert_state integer NOT NULL DEFAULT 0,
  ADD COLUMN alert_at_ms bigint, ADD COLUMN alert_sent_at_ms bigint,
  ADD COLUMN alert_offline_since_ms bigint;
CREATE INDEX cameras_alert_due ON cameras (alert_at_ms) WHERE alert_at_ms IS NOT NULL;
-- alert_state: 0 none, 1 a site.offline is open since alert_offline_since_ms.
ALTER TABLE sites ADD COLUMN alert_state integer NOT NULL DEFAULT 0, ADD COLUMN alert_offline_since_ms bigint;
-- Running cameras already seen are looked at once by the first evaluator round (which sets their
-- next look), so that one already offline at the upgrade still alerts.
UPDATE cameras SET alert_at_ms = 0 WHERE state = 'running' AND last_seen_at IS NOT NULL;
