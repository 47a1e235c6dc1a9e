-- Issue 14. A site whose only cameras are decommissioned can be deleted while the camera positions
-- there stay in the cameras' history: camera_positions.site_id may keep the id of a deleted site,
-- so it loses its foreign key (SQLite drops one by rebuilding the table; nothing refers to
-- camera_positions). And the state the camera itself last reported in a heartbeat ("running" or
-- "paused"), NULL until it reports one (GET /cameras: reportedState).
CREATE TABLE camera_positions_kept (
  id TEXT PRIMARY KEY,
  camera_id TEXT NOT NULL REFERENCES cameras(id),
  organisation_id TEXT NOT NULL REFERENCES organisations(id),
  site_id TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER
);
INSERT INTO camera_positions_kept(id, camera_id, organisation_id, site_id, started_at, ended_at)
  SELECT id, camera_id, organisation_id, site_id, started_at, ended_at FROM camera_positions;
DROP TABLE camera_positions;
ALTER TABLE camera_positions_kept RENAME TO camera_positions;
CREATE INDEX camera_positions_by_camera ON camera_positions(camera_id, started_at);

ALTER TABLE cameras ADD COLUMN reported_state TEXT CHECK (reported_state IN ('running', 'paused'));
