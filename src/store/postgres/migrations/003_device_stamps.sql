-- The stamp of the camera's latest device credentials, kept after they are revoked (their clients
-- row goes), so credentials issued later always carry a later stamp.
ALTER TABLE cameras ADD COLUMN device_stamp_ms bigint NOT NULL DEFAULT 0;
UPDATE cameras SET device_stamp_ms = COALESCE((SELECT secret_issued_ms FROM clients
                                               WHERE clients.id = cameras.id AND role = 'device'), 0);
