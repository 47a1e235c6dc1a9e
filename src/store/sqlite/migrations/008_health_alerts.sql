-- Health alerts (README "Health alerts"): each camera's alert state and the one instant the
-- evaluator (jobs/health_alerts.c) must look at it next, indexed so that a round reads only the
-- cameras due; a site's open site.offline.
-- alert_state: 0 none, 1 camera.offline emitted, 2 covered by its site's site.offline; then
-- alert_sent_at_ms is when the alert went out and alert_offline_since_ms what it said.
ALTER TABLE cameras ADD COLUMN alert_state INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cameras ADD COLUMN alert_at_ms INTEGER;
ALTER TABLE cameras ADD COLUMN alert_sent_at_ms INTEGER;
ALTER TABLE cameras ADD COLUMN alert_offline_since_ms INTEGER;
CREATE INDEX cameras_alert_due ON cameras(alert_at_ms) WHERE alert_at_ms IS NOT NULL;
-- alert_state: 0 none, 1 a site.offline is open since alert_offline_since_ms.
ALTER TABLE sites ADD COLUMN alert_state INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sites ADD COLUMN alert_offline_since_ms INTEGER;
-- Running cameras already seen are looked at when their alert would be due by the default
-- --online-window (90) and --offline-alert-after (300), so that one already offline at the upgrade
-- still alerts; a heartbeat replaces it, and the evaluator goes by the settings in force. (Not
-- "now" for all: a fleet would cost one evaluator transaction per camera at the first start.)
UPDATE cameras SET alert_at_ms = (last_seen_at + 390) * 1000 WHERE state = 'running' AND last_seen_at IS NOT NULL;
