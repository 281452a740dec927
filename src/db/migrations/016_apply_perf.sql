-- A repeat of `apply` that would change nothing skips its diffing (directory/applied.ts). directory_applied holds,
-- in one row, the hashes of the directory file (normalised) and of its text whose apply last left the directory as
-- it is, with that text's warnings. Applies lock this row first, so they run one after the other.
CREATE TABLE directory_applied (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  file_hash text,
  text_hash text,
  warnings jsonb NOT NULL DEFAULT '[]'
);
INSERT INTO directory_applied DEFAULT VALUES;

-- Every transaction that writes what an apply compares (one row per transaction, whatever the writer: an apply,
-- import, sync, the token commands, the sandbox reset, psql). An apply removes the rows it saw when it started;
-- while any row is left, the hashes above say nothing and the next apply compares everything.
CREATE TABLE directory_writes (
  xact bigint PRIMARY KEY
);

CREATE FUNCTION directory_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO directory_writes (xact) VALUES (pg_current_xact_id()::text::bigint) ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;

-- Per statement, not per row: an apply writing 300,000 grants logs one row.
CREATE TRIGGER enterprises_written AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON enterprises
  FOR EACH STATEMENT EXECUTE FUNCTION directory_written();
CREATE TRIGGER organizations_written AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON organizations
  FOR EACH STATEMENT EXECUTE FUNCTION directory_written();
CREATE TRIGGER teams_written AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON teams
  FOR EACH STATEMENT EXECUTE FUNCTION directory_written();
CREATE TRIGGER grants_written AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON grants
  FOR EACH STATEMENT EXECUTE FUNCTION directory_written();
CREATE TRIGGER user_emails_written AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON user_emails
  FOR EACH STATEMENT EXECUTE FUNCTION directory_written();
CREATE TRIGGER user_telemetry_written AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON user_telemetry
  FOR EACH STATEMENT EXECUTE FUNCTION directory_written();
CREATE TRIGGER custom_models_written AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON custom_models
  FOR EACH STATEMENT EXECUTE FUNCTION directory_written();
CREATE TRIGGER tokens_written AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tokens
  FOR EACH STATEMENT EXECUTE FUNCTION directory_written();
-- Not on INSERT: ingest and OpenTelemetry create users for logins they meet, on their hot path. A new user cannot
-- alter what an apply left: every user its file names exists already (login_lower is unique), and an apply never
-- reads users its file does not name.
CREATE TRIGGER users_written AFTER UPDATE OR DELETE OR TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION directory_written();
