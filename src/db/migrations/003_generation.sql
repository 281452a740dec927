-- A number that grows every time a day is (re)processed: the serving cache keys its answers on it.
CREATE SEQUENCE processing_generation;
ALTER TABLE processed_days ADD COLUMN generation bigint NOT NULL DEFAULT 0;
