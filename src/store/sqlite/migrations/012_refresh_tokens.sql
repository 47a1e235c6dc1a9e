-- Refresh tokens of the password grant (api/oauth_refresh.c): the token handed out is
-- "<id>.<secret>", stored as the keyed hash of its secret (auth/secret_mac.h). Each use rotates
-- it: the row is marked used and its successor in the same chain written, in one transaction;
-- a used token presented again ends its whole chain (the rows are deleted). A change that ends
-- the user's access tokens (password, role) deletes the user's rows; deleting the user does too.
CREATE TABLE refresh_tokens (
  id TEXT PRIMARY KEY,
  chain_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  client_id TEXT,
  secret_hash TEXT NOT NULL,
  chain_started_ms INTEGER NOT NULL,
  issued_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
CREATE INDEX refresh_tokens_by_chain ON refresh_tokens(chain_id);
CREATE INDEX refresh_tokens_by_user ON refresh_tokens(user_id);
CREATE INDEX refresh_tokens_by_expiry ON refresh_tokens(expires_at);
