-- Token revocations: per subject (user or API client id), the moment from which its tokens are
-- valid, in milliseconds. Deleting a user or client, changing a user's role or password writes the
-- subject's row in the same transaction; tokens issued before valid_from_ms are refused. Rows
-- older than the longest token lifetime can go (every token they refuse has expired).
CREATE TABLE token_revocations (
  subject_id TEXT PRIMARY KEY,
  valid_from_ms INTEGER NOT NULL,
  changed_at_ms INTEGER NOT NULL
);
CREATE INDEX token_revocations_changed ON token_revocations(changed_at_ms);

-- Signing-key rotation: the current key has retired_at NULL; a retired key keeps only its public
-- part (private_pem wiped to '') and verifies the tokens it signed until they expire.
ALTER TABLE signing_keys ADD COLUMN public_pem TEXT;
ALTER TABLE signing_keys ADD COLUMN retired_at INTEGER;
