-- Video upload reports summed per camera and UTC hour (README "What is kept how long"): each
-- report adds to its hour's bucket in the report's own transaction (store/shared/device.c), so
-- GET /cameras/{id}/video-upload-metrics answers windows older than the 48 hours of raw reports
-- kept. hour_start is epoch seconds, a multiple of 3600. Only reports made from the camera's claim
-- on are counted (the metrics never show an earlier one). Buckets are kept
-- --upload-metrics-retention-days; both tables are pruned by age (jobs/housekeeping.c), hence the
-- time indexes.
CREATE TABLE video_upload_hours (
  camera_id text COLLATE "C" NOT NULL REFERENCES cameras(id),
  hour_start bigint NOT NULL,
  bytes bigint NOT NULL,
  seconds double precision NOT NULL,
  reports bigint NOT NULL,
  PRIMARY KEY (camera_id, hour_start)
);
CREATE INDEX video_upload_hours_by_hour ON video_upload_hours (hour_start);
CREATE INDEX video_uploads_by_time ON video_uploads (uploaded_at);
-- An existing database: its raw reports fill the buckets (housekeeping then drops raw reports older
-- than 48 hours).
INSERT INTO video_upload_hours (camera_id, hour_start, bytes, seconds, reports)
  SELECT u.camera_id, u.uploaded_at - (((u.uploaded_at % 3600) + 3600) % 3600), SUM(u.bytes), SUM(u.seconds), COUNT(*)
  FROM video_uploads u JOIN cameras c ON c.id = u.camera_id
  WHERE c.claimed_at IS NOT NULL AND u.uploaded_at >= c.claimed_at
  GROUP BY u.camera_id, u.uploaded_at - (((u.uploaded_at % 3600) + 3600) % 3600);
