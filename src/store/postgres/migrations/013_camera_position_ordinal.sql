-- The order of a camera's positions also when two start within one second (a claim and a move at
-- once, times being whole seconds): each new position takes the camera's next ordinal
-- (store/shared/cameras.c), so the newest has the highest. Existing positions are numbered by
-- their start, then the one still open last, then their id.
ALTER TABLE camera_positions ADD COLUMN ordinal INTEGER NOT NULL DEFAULT 0;
UPDATE camera_positions SET ordinal = (
  SELECT COUNT(*) FROM camera_positions AS other
  WHERE other.camera_id = camera_positions.camera_id
    AND (other.started_at < camera_positions.started_at
      OR (other.started_at = camera_positions.started_at
        AND (CASE WHEN other.ended_at IS NULL THEN 1 ELSE 0 END) < (CASE WHEN camera_positions.ended_at IS NULL THEN 1 ELSE 0 END))
      OR (other.started_at = camera_positions.started_at
        AND (CASE WHEN other.ended_at IS NULL THEN 1 ELSE 0 END) = (CASE WHEN camera_positions.ended_at IS NULL THEN 1 ELSE 0 END)
        AND other.id <= camera_positions.id)));
CREATE INDEX camera_positions_by_camera_ordinal ON camera_positions(camera_id, ordinal);
