-- camfleet initial schema (SQLite). Times are epoch seconds (INTEGER); ids are UUID text.
CREATE TABLE signing_keys (
  kid TEXT PRIMARY KEY,
  private_pem TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE organisations (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE sites (
  id TEXT PRIMARY KEY,
  organisation_id TEXT NOT NULL REFERENCES organisations(id),
  name TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX sites_by_organisation ON sites(organisation_id);

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  organisation_id TEXT REFERENCES organisations(id),
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  role TEXT NOT NULL CHECK (role IN ('operator', 'admin', 'viewer')),
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX users_by_organisation ON users(organisation_id);

CREATE TABLE user_sites (
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  PRIMARY KEY (user_id, site_id)
) WITHOUT ROWID;
CREATE INDEX user_sites_by_site ON user_sites(site_id);

CREATE TABLE clients (
  id TEXT PRIMARY KEY,
  organisation_id TEXT REFERENCES organisations(id),
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('operator', 'admin', 'viewer', 'device')),
  secret_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX clients_by_organisation ON clients(organisation_id);

CREATE TABLE cameras (
  id TEXT PRIMARY KEY,
  serial_number TEXT NOT NULL UNIQUE,
  state TEXT NOT NULL CHECK (state IN ('registered', 'running', 'paused', 'decommissioned')),
  organisation_id TEXT REFERENCES organisations(id),
  site_id TEXT REFERENCES sites(id),
  camera_position_id TEXT,
  claimed_at INTEGER,
  name TEXT,
  direction1_alias TEXT,
  direction2_alias TEXT,
  registered_at INTEGER NOT NULL,
  last_seen_at INTEGER,
  last_video_at INTEGER,
  reported_offline INTEGER NOT NULL DEFAULT 0,
  encoded_frames_proportion REAL NOT NULL DEFAULT 0,
  network_transmit_rate REAL NOT NULL DEFAULT 0,
  video_backlog REAL NOT NULL DEFAULT 0,
  video_upload_latency REAL NOT NULL DEFAULT 0
);
CREATE INDEX cameras_by_organisation ON cameras(organisation_id, id);
CREATE INDEX cameras_by_site ON cameras(site_id, id);

-- Every claim and move opens a position; the previous one is closed. Counts belong to positions.
CREATE TABLE camera_positions (
  id TEXT PRIMARY KEY,
  camera_id TEXT NOT NULL REFERENCES cameras(id),
  organisation_id TEXT NOT NULL REFERENCES organisations(id),
  site_id TEXT NOT NULL REFERENCES sites(id),
  started_at INTEGER NOT NULL,
  ended_at INTEGER
);
CREATE INDEX camera_positions_by_camera ON camera_positions(camera_id, started_at);

-- Reports of uploaded video (fed by the device link).
CREATE TABLE video_uploads (
  camera_id TEXT NOT NULL REFERENCES cameras(id),
  uploaded_at INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  seconds REAL NOT NULL
);
CREATE INDEX video_uploads_by_camera ON video_uploads(camera_id, uploaded_at);

-- The latest frame of each camera (fed by the device link).
CREATE TABLE camera_frames (
  camera_id TEXT PRIMARY KEY REFERENCES cameras(id),
  jpeg BLOB NOT NULL,
  taken_at INTEGER NOT NULL
);

CREATE TABLE async_requests (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('register-camera', 'put-camera-state')),
  status TEXT NOT NULL CHECK (status IN ('created', 'processing', 'succeeded', 'failed')),
  message TEXT NOT NULL,
  camera_id TEXT NOT NULL,
  serial_number TEXT,
  new_state TEXT,
  organisation_id TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  seq INTEGER NOT NULL
);
CREATE INDEX async_requests_pending ON async_requests(status, seq);
