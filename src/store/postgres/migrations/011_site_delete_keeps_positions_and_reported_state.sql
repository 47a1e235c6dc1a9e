-- Issue 14. A site whose only cameras are decommissioned can be deleted while the camera positions
-- there stay in the cameras' history: camera_positions.site_id may keep the id of a deleted site.
-- And the state the camera itself last reported in a heartbeat ("running" or "paused"), NULL until
-- it reports one (GET /cameras: reportedState).
ALTER TABLE camera_positions DROP CONSTRAINT camera_positions_site_id_fkey;
ALTER TABLE cameras ADD COLUMN reported_state text CHECK (reported_state IN ('running', 'paused'));
