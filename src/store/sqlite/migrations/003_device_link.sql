-- The device link. A camera's device credentials are the row of clients whose id is the camera id
-- and whose role is 'device'. secret_issued_ms (milliseconds, strictly increasing per camera) tells
-- one issue of the credentials from the next: device tokens carry it, so rotating or revoking the
-- credentials refuses every older token at once, even within the same second. NULL for other clients.
ALTER TABLE clients ADD COLUMN secret_issued_ms INTEGER;
