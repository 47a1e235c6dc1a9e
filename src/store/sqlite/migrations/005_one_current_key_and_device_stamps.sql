-- One current signing key, as on PostgreSQL (signing_keys_current there): a second insert of a
-- current key is refused instead of silently taking over. A file that somehow has several keeps
-- the newest as current; the others retire (still verifying what they signed).
UPDATE signing_keys SET retired_at = created_at
 WHERE retired_at IS NULL AND kid <> (SELECT kid FROM signing_keys WHERE retired_at IS NULL
                                      ORDER BY created_at DESC, kid DESC LIMIT 1);
CREATE UNIQUE INDEX signing_keys_current ON signing_keys ((retired_at IS NULL)) WHERE retired_at IS NULL;

-- The stamp of the camera's latest device credentials, kept after they are revoked (their clients
-- row goes), so credentials issued later always carry a later stamp.
ALTER TABLE cameras ADD COLUMN device_stamp_ms INTEGER NOT NULL DEFAULT 0;
UPDATE cameras SET device_stamp_ms = COALESCE((SELECT secret_issued_ms FROM clients
                                               WHERE clients.id = cameras.id AND role = 'device'), 0);
