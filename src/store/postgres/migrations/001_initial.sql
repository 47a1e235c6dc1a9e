-- camfleet initial schema (PostgreSQL): the SQLite schema (migrations 001-003 there) in one step.
-- Times are epoch seconds (bigint); ids are UUID text with COLLATE "C" so that keyset pagination
-- orders them byte by byte, as SQLite does.
CREATE TABLE signing_keys (
  kid text COLLATE "C" PRIMARY KEY,
  private_pem text NOT NULL,
  created_at bigint NOT NULL
);
-- One key for all nodes: nodes starting together on a new database race to create it, and this
-- index lets exactly one win (the others read its key). Key rotation would replace this index.
CREATE UNIQUE INDEX signing_keys_one ON signing_keys ((true));

CREATE TABLE organisations (
  id text COLLATE "C" PRIMARY KEY,
  name text NOT NULL,
  created_at bigint NOT NULL
);

CREATE TABLE sites (
  id text COLLATE "C" PRIMARY KEY,
  organisation_id text COLLATE "C" NOT NULL REFERENCES organisations(id),
  name text NOT NULL,
  time_zone text NOT NULL,
  created_at bigint NOT NULL
);
CREATE INDEX sites_by_organisation ON sites(organisation_id);

CREATE TABLE users (
  id text COLLATE "C" PRIMARY KEY,
  organisation_id text COLLATE "C" REFERENCES organisations(id),
  email text NOT NULL,
  role text NOT NULL CHECK (role IN ('operator', 'admin', 'viewer')),
  password_hash text NOT NULL,
  created_at bigint NOT NULL
);
-- Emails are unique regardless of ASCII case, like SQLite's COLLATE NOCASE (lower() under
-- COLLATE "C" folds ASCII letters only).
CREATE UNIQUE INDEX users_by_email ON users(lower(email COLLATE "C"));
CREATE INDEX users_by_organisation ON users(organisation_id);

CREATE TABLE user_sites (
  user_id text COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  site_id text COLLATE "C" NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  PRIMARY KEY (user_id, site_id)
);
CREATE INDEX user_sites_by_site ON user_sites(site_id);

-- A camera's device credentials are the row whose id is the camera id and whose role is
-- 'device'; secret_issued_ms (milliseconds, strictly increasing per camera) tells one issue
-- from the next (device tokens carry it). NULL for other clients.
CREATE TABLE clients (
  id text COLLATE "C" PRIMARY KEY,
  organisation_id text COLLATE "C" REFERENCES organisations(id),
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('operator', 'admin', 'viewer', 'device')),
  secret_hash text NOT NULL,
  created_at bigint NOT NULL,
  secret_issued_ms bigint
);
CREATE INDEX clients_by_organisation ON clients(organisation_id);

CREATE TABLE cameras (
  id text COLLATE "C" PRIMARY KEY,
  serial_number text COLLATE "C" NOT NULL UNIQUE,
  state text NOT NULL CHECK (state IN ('registered', 'running', 'paused', 'decommissioned')),
  organisation_id text COLLATE "C" REFERENCES organisations(id),
  site_id text COLLATE "C" REFERENCES sites(id),
  camera_position_id text COLLATE "C",
  claimed_at bigint,
  name text,
  direction1_alias text,
  direction2_alias text,
  registered_at bigint NOT NULL,
  last_seen_at bigint,
  last_video_at bigint,
  reported_offline boolean NOT NULL DEFAULT false,
  encoded_frames_proportion double precision NOT NULL DEFAULT 0,
  network_transmit_rate double precision NOT NULL DEFAULT 0,
  video_backlog double precision NOT NULL DEFAULT 0,
  video_upload_latency double precision NOT NULL DEFAULT 0
);
CREATE INDEX cameras_by_organisation ON cameras(organisation_id, id);
CREATE INDEX cameras_by_site ON cameras(site_id, id);

-- Every claim and move opens a position; the previous one is closed. Counts belong to positions.
CREATE TABLE camera_positions (
  id text COLLATE "C" PRIMARY KEY,
  camera_id text COLLATE "C" NOT NULL REFERENCES cameras(id),
  organisation_id text COLLATE "C" NOT NULL REFERENCES organisations(id),
  site_id text COLLATE "C" NOT NULL REFERENCES sites(id),
  started_at bigint NOT NULL,
  ended_at bigint
);
CREATE INDEX camera_positions_by_camera ON camera_positions(camera_id, started_at);
CREATE INDEX camera_positions_by_site ON camera_positions(site_id);

-- Reports of uploaded video (fed by the device link).
CREATE TABLE video_uploads (
  camera_id text COLLATE "C" NOT NULL REFERENCES cameras(id),
  uploaded_at bigint NOT NULL,
  bytes bigint NOT NULL,
  seconds double precision NOT NULL
);
CREATE INDEX video_uploads_by_camera ON video_uploads(camera_id, uploaded_at);

-- The latest frame of each camera (fed by the device link).
CREATE TABLE camera_frames (
  camera_id text COLLATE "C" PRIMARY KEY REFERENCES cameras(id),
  jpeg bytea NOT NULL,
  taken_at bigint NOT NULL
);

-- seq orders requests by arrival across nodes; workers claim with FOR UPDATE SKIP LOCKED.
CREATE TABLE async_requests (
  id text COLLATE "C" PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('register-camera', 'put-camera-state')),
  status text NOT NULL CHECK (status IN ('created', 'processing', 'succeeded', 'failed')),
  message text NOT NULL,
  camera_id text COLLATE "C" NOT NULL,
  serial_number text,
  new_state text,
  organisation_id text COLLATE "C",
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  seq bigserial NOT NULL
);
CREATE INDEX async_requests_pending ON async_requests(status, seq);

-- Opening hours of sites, kept as the JSON the API validated (domain/schedule.c parses it).
CREATE TABLE site_opening_hours (
  site_id text COLLATE "C" PRIMARY KEY REFERENCES sites(id) ON DELETE CASCADE,
  weekly_json text NOT NULL,
  updated_at bigint NOT NULL
);

CREATE TABLE site_opening_hours_exceptions (
  site_id text COLLATE "C" NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  date text COLLATE "C" NOT NULL, -- local date YYYY-MM-DD
  intervals_json text NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (site_id, date)
);
