-- Importing GitHub's usage-metrics report files (spec/usage-reports-import.md) and syncing from a GitHub-shaped API.

-- Which local organization or enterprise an upstream id stands for (kind org | ent).
CREATE TABLE import_scopes (
  kind text NOT NULL,
  upstream_id text NOT NULL,
  local_id int NOT NULL,
  PRIMARY KEY (kind, upstream_id)
);

-- Imported user-day records as they came (one compact JSON object each), re-served as is by the users-* files.
-- scope is the local 'org:ID' | 'ent:ID'.
CREATE TABLE imported_records (
  scope text NOT NULL,
  day date NOT NULL,
  login text COLLATE "C" NOT NULL,
  user_id int NOT NULL,
  body text NOT NULL,
  PRIMARY KEY (scope, day, login)
);
CREATE INDEX imported_records_day ON imported_records (day);

-- The facts rebuilt from imported records (spec: "Rebuilding the legacy day document"), read by processing beside
-- the telemetry facts. One user-day takes its facts from one scope's record (the first imported); a re-import of that
-- record replaces them. split: the user-day was apportioned over several IDEs (an estimate).
CREATE TABLE imported_facts (
  day date NOT NULL,
  user_id int NOT NULL,
  scope text NOT NULL,
  feature text NOT NULL,
  editor text NOT NULL,
  model text NOT NULL,
  dim text NOT NULL,
  n1 bigint NOT NULL DEFAULT 0,
  n2 bigint NOT NULL DEFAULT 0,
  n3 bigint NOT NULL DEFAULT 0,
  n4 bigint NOT NULL DEFAULT 0,
  split boolean NOT NULL DEFAULT false
);
CREATE INDEX imported_facts_day ON imported_facts (day, user_id);

-- Memberships and seats an import inferred (a record means member with a seat that day; a user-teams row means
-- team member). One range per scope, user and role, widened by later imports; `apply` of a directory file that
-- names the scope replaces them with what the file says.
ALTER TABLE grants ADD COLUMN imported boolean NOT NULL DEFAULT false;
CREATE UNIQUE INDEX grants_imported ON grants (scope_kind, scope_id, user_id, role) WHERE imported;
