-- Video upload reports summed per camera and UTC hour (README "What is kept how long"): each
-- report adds to its hour's bucket in the report's own transaction (store/shared/device.c), so
-- GET /cameras/{id}/video-upload-metrics answers windows older than the 48 hours of raw reports
-- kept. hour_start is epoch seconds, a multiple of 3600. Only reports made from the camera's claim
-- on are counted (the metrics never show an earlier one). Buckets are kept
-- --upload-metrics-retention-days, raw reports 48 hours (jobs/housekeeping.c): reports are found
-- by the time index; old buckets camera by camera through the primary key (an index on hour_start
-- would repeat each row's camera id and nearly double the buckets' size).
CREATE TABLE video_upload_hours (
  camera_id text COLLATE "C" NOT NULL REFERENCES cameras(id),
  hour_start bigint NOT NULL,
  bytes bigint NOT NULL,
  seconds double precision NOT NULL,
  reports bigint NOT NULL,
  PRIMARY KEY (camera_id, hour_start)
);
CREATE INDEX video_uploads_by_time ON video_uploads (uploaded_at);
-- An existing database: its raw reports fill the buckets (housekeeping then drops raw reports older
-- than 48 hours).
INSERT INTO video_upload_hours (camera_id, hour_start, bytes, seconds, reports)
  SELECT u.camera_id, u.uploaded_at - (((u.uploaded_at % 3600) + 3600) % 3600), SUM(u.bytes), SUM(u.seconds), COUNT(*)
  FROM video_uploads u JOIN cameras c ON c.id = u.camera_id
  WHERE c.claimed_at IS NOT NULL AND u.uploaded_at >= c.claimed_at
  GROUP BY u.camera_id, u.uploaded_at - (((u.uploaded_at % 3600) + 3600) % 3600);
