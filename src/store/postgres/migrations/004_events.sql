-- Events (the audit log, the live stream, webhooks): written in the transaction of the change they
-- record (an outbox). seq orders them as written: the cursor of GET /events and Last-Event-ID.
-- No foreign keys: an event outlives the site or organisation it names. Several nodes write at
-- once, so seq order is not commit order: readers see only events whose writing transaction
-- (writer_xid) is older than every transaction still running in this database, so no event can
-- later commit behind a cursor that has passed it (shared/events.c).
CREATE TABLE events (
  seq bigserial PRIMARY KEY,
  id text COLLATE "C" NOT NULL UNIQUE,
  type text NOT NULL,
  type_bit integer NOT NULL,
  occurred_at_ms bigint NOT NULL,
  organisation_id text COLLATE "C",
  site_id text COLLATE "C",
  camera_id text COLLATE "C",
  actor_kind text NOT NULL,
  actor_id text COLLATE "C",
  data_json text NOT NULL,
  writer_xid xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX events_by_organisation ON events (organisation_id, seq);
CREATE INDEX events_by_site ON events (site_id, seq);
CREATE INDEX events_by_camera ON events (camera_id, seq);
CREATE INDEX events_by_time ON events (occurred_at_ms);

-- Who asked for an asynchronous request: the actor of the change the worker makes for it.
ALTER TABLE async_requests ADD COLUMN requester_kind text, ADD COLUMN requester_id text COLLATE "C";
