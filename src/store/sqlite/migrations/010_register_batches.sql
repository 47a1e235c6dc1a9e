-- Bulk registration (POST /register-camera-batches): each item of a batch is a register-camera
-- request of its own, carried out by the same batched worker; batch_id groups them (NULL for a
-- single request) and batch_index keeps their order in the batch as posted.
ALTER TABLE async_requests ADD COLUMN batch_id TEXT;
ALTER TABLE async_requests ADD COLUMN batch_index INTEGER;
CREATE INDEX async_requests_batch ON async_requests(batch_id, batch_index) WHERE batch_id IS NOT NULL;
