-- 0001_initial: the application's first table.
--
-- Migrations run in file-name order, once each, through the migrations Lambda (lib/lambdas/migrations).
-- Name new files NNNN_name.sql with the next number; never edit a file that has been applied.
-- Keep statements portable between Aurora PostgreSQL and Aurora MySQL, or write for the engine you chose.

CREATE TABLE items (
    id VARCHAR(36) PRIMARY KEY,
    name VARCHAR(255) NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX items_created_at ON items (created_at);
