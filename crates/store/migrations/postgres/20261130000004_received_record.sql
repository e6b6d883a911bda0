-- The record exactly as the sender wrote it (the `record` column is what cleanclaim read).
ALTER TABLE encounters ADD COLUMN received TEXT;
