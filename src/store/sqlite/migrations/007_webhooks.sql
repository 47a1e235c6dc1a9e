-- Webhooks: where events are delivered (signed per Standard Webhooks), and each delivery's
-- durable record. A delivery row is written in the transaction of its event (shared/events.c),
-- so no event is lost for a webhook between its change and its delivery.
CREATE TABLE webhooks (
  id TEXT PRIMARY KEY,
  organisation_id TEXT REFERENCES organisations(id) ON DELETE CASCADE, -- NULL: the whole fleet
  url TEXT NOT NULL,
  event_mask INTEGER NOT NULL,          -- EVENT_TYPE_BITs; WEBHOOK_ALL_EVENTS for "*"
  description TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL,
  secret TEXT NOT NULL,                 -- "whsec_..." (it signs, so it is kept as is)
  previous_secret TEXT,                 -- still signs until previous_secret_until_ms
  previous_secret_until_ms INTEGER,
  failing_since_ms INTEGER              -- first failed attempt since the last success
);
CREATE INDEX webhooks_by_organisation ON webhooks(organisation_id, id);

CREATE TABLE webhook_deliveries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  event_seq INTEGER NOT NULL,
  event_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  status TEXT NOT NULL,                 -- 'pending' | 'succeeded' | 'failed'
  attempts INTEGER NOT NULL DEFAULT 0,
  schedule_start INTEGER NOT NULL DEFAULT 0, -- attempts when the back-off last started over
  created_at_ms INTEGER NOT NULL,
  last_attempt_at_ms INTEGER,
  next_attempt_at_ms INTEGER,
  response_status INTEGER,
  error TEXT,
  lease_until_ms INTEGER NOT NULL DEFAULT 0, -- a sender holds it until then
  lease_token TEXT
);
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries(webhook_id, seq);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(webhook_id, next_attempt_at_ms) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_leased ON webhook_deliveries(webhook_id, lease_until_ms) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_by_lease ON webhook_deliveries(lease_token) WHERE lease_token IS NOT NULL;
CREATE INDEX webhook_deliveries_by_time ON webhook_deliveries(created_at_ms);
