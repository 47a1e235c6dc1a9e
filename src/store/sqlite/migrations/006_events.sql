-- Events (the audit log, the live stream, webhooks): written in the transaction of the change they
-- record (an outbox). seq orders them as written: the cursor of GET /events and Last-Event-ID.
-- No foreign keys: an event outlives the site or organisation it names.
CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  type_bit INTEGER NOT NULL,
  occurred_at_ms INTEGER NOT NULL,
  organisation_id TEXT,
  site_id TEXT,
  camera_id TEXT,
  actor_kind TEXT NOT NULL,
  actor_id TEXT,
  data_json TEXT NOT NULL
);
CREATE INDEX events_by_organisation ON events(organisation_id, seq);
CREATE INDEX events_by_site ON events(site_id, seq);
CREATE INDEX events_by_camera ON events(camera_id, seq);
CREATE INDEX events_by_time ON events(occurred_at_ms);

-- Who asked for an asynchronous request: the actor of the change the worker makes for it.
ALTER TABLE async_requests ADD COLUMN requester_kind TEXT;
ALTER TABLE async_requests ADD COLUMN requester_id TEXT;
