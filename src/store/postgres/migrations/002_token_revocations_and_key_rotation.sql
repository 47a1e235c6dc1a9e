-- Token revocations: per subject (user or API client id), the moment from which its tokens are
-- valid, in milliseconds. Deleting a user or client, changing a user's role or password writes the
-- subject's row in the same transaction; tokens issued before valid_from_ms are refused. Every node
-- polls the rows changed since its last poll (the index), besides the cross-node message.
CREATE TABLE token_revocations (
  subject_id text COLLATE "C" PRIMARY KEY,
  valid_from_ms bigint NOT NULL,
  changed_at_ms bigint NOT NULL
);
CREATE INDEX token_revocations_changed ON token_revocations (changed_at_ms);

-- Signing-key rotation: the current key has retired_at NULL; a retired key keeps only its public
-- part (private_pem wiped to '') and verifies the tokens it signed until they expire. One current
-- key at a time: nodes racing to create the first key, or two rotations at once, cannot both win.
ALTER TABLE signing_keys ADD COLUMN public_pem text, ADD COLUMN retired_at bigint;
DROP INDEX signing_keys_one;
CREATE UNIQUE INDEX signing_keys_current ON signing_keys ((true)) WHERE retired_at IS NULL;
