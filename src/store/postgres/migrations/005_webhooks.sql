-- Webhooks: where events are delivered (signed per Standard Webhooks), and each delivery's
-- durable record. A delivery row is written in the transaction of its event (shared/events.c),
-- so no event is lost for a webhook between its change and its delivery. Several nodes send:
-- a sender leases the rows it claims (FOR UPDATE SKIP LOCKED, lease_until_ms), and a node that
-- dies mid-delivery leaves them to another once the lease runs out.
CREATE TABLE webhooks (
  id text COLLATE "C" PRIMARY KEY,
  organisation_id text COLLATE "C" REFERENCES organisations(id) ON DELETE CASCADE,
  url text NOT NULL,
  event_mask bigint NOT NULL,
  description text NOT NULL,
  enabled boolean NOT NULL,
  created_at_ms bigint NOT NULL,
  secret text NOT NULL,
  previous_secret text,
  previous_secret_until_ms bigint,
  failing_since_ms bigint
);
CREATE INDEX webhooks_by_organisation ON webhooks (organisation_id, id);

CREATE TABLE webhook_deliveries (
  seq bigserial PRIMARY KEY,
  id text COLLATE "C" NOT NULL UNIQUE,
  webhook_id text COLLATE "C" NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  event_seq bigint NOT NULL,
  event_id text COLLATE "C" NOT NULL,
  event_type text NOT NULL,
  status text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  schedule_start integer NOT NULL DEFAULT 0,
  created_at_ms bigint NOT NULL,
  last_attempt_at_ms bigint,
  next_attempt_at_ms bigint,
  response_status integer,
  error text,
  lease_until_ms bigint NOT NULL DEFAULT 0,
  lease_token text COLLATE "C"
);
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, seq);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (webhook_id, next_attempt_at_ms) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_leased ON webhook_deliveries (webhook_id, lease_until_ms) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_by_lease ON webhook_deliveries (lease_token) WHERE lease_token IS NOT NULL;
CREATE INDEX webhook_deliveries_by_time ON webhook_deliveries (created_at_ms);
