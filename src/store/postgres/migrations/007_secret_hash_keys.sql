-- Keys of the keyed hashes of generated secrets (auth/secret_keys.c): API client and device
-- secrets are stored as "hmac-sha256$<id>$<MAC>" under one of these keys (32 random bytes,
-- base64url in key_text), shared by every node. The first is created by whichever node starts
-- first; the current key has retired_at NULL, and only one may (nodes racing to create the first
-- key cannot both win: the losers read the winner's). Existing argon2id hashes of those secrets
-- stay as they are until their next successful use.
CREATE TABLE secret_hash_keys (
  id text COLLATE "C" PRIMARY KEY,
  key_text text NOT NULL,
  created_at bigint NOT NULL,
  retired_at bigint
);
CREATE UNIQUE INDEX secret_hash_keys_current ON secret_hash_keys ((true)) WHERE retired_at IS NULL;
