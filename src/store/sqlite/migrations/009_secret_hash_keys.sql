-- Keys of the keyed hashes of generated secrets (auth/secret_keys.c): API client and device
-- secrets are stored as "hmac-sha256$<id>$<MAC>" under one of these keys (32 random bytes,
-- base64url in key_text). The first is created at the first start; the current key has
-- retired_at NULL, and only one may (nodes racing to create the first key cannot both win).
-- Existing argon2id hashes of those secrets stay as they are until their next successful use.
CREATE TABLE secret_hash_keys (
  id TEXT PRIMARY KEY,
  key_text TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  retired_at INTEGER
);
CREATE UNIQUE INDEX secret_hash_keys_current ON secret_hash_keys ((retired_at IS NULL)) WHERE retired_at IS NULL;
