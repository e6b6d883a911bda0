-- What people say on queue items, and statuses they set.
CREATE TABLE queue_comments (
    item_id BIGINT NOT NULL REFERENCES queue_items (id),
    author TEXT NOT NULL,
    text TEXT NOT NULL,
    written_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX queue_comments_by_item ON queue_comments (item_id);
