-- The usage-metrics reports (spec/usage-metrics-reports.md), computed by processing beside the day documents.

-- The latest version strings of a user's day with their instant: kind ide | plugin (key = editor), cli (key ''),
-- agent (key = agent_id, value = agent_name). The value of the latest event wins.
CREATE TABLE fact_versions (
  day date NOT NULL,
  user_id int NOT NULL,
  kind text NOT NULL,
  key text NOT NULL,
  value text NOT NULL,
  at timestamptz NOT NULL,
  PRIMARY KEY (day, user_id, kind, key)
);

-- One serialized user-day record per scope ('org:ID' | 'ent:ID'), day and user, as served in the users-* files.
-- Keyed by login (code-point order, the files' order) so an imported GitHub record can be stored as is.
CREATE TABLE user_day_records (
  scope text NOT NULL,
  day date NOT NULL,
  login text COLLATE "C" NOT NULL,
  user_id int NOT NULL,
  body text NOT NULL,
  PRIMARY KEY (scope, day, login)
);
-- The 28-day files stream in (login, day) order straight from this index.
CREATE INDEX user_day_records_login ON user_day_records (scope, login, day);

-- The user-teams-1-day rows: every user with a record and every team of the scope they are in that day (teams
-- under the 5-seat threshold left out), in the file's order (slug, login).
CREATE TABLE user_team_rows (
  scope text NOT NULL,
  day date NOT NULL,
  slug text COLLATE "C" NOT NULL,
  login text COLLATE "C" NOT NULL,
  team_id int NOT NULL,
  body text NOT NULL,
  PRIMARY KEY (scope, day, slug, login, team_id)
);

-- Per scope and processed day: the record count (for splitting files), the users active that day, with chat and
-- in agent mode (for the 7- and 28-day distinct counts), the CLI users, the aggregate's sums and the serialized
-- aggregate record. A scope quiet that day but active in the 27 days before has a row with empty sets.
CREATE TABLE report_days (
  scope text NOT NULL,
  day date NOT NULL,
  records int NOT NULL,
  team_rows int NOT NULL DEFAULT 0,
  active int[] NOT NULL,
  chat int[] NOT NULL,
  agent int[] NOT NULL,
  cli_users int NOT NULL,
  sums text NOT NULL,
  body text NOT NULL,
  PRIMARY KEY (scope, day)
);
CREATE INDEX report_days_day ON report_days (day);

-- The secret download links are signed with; one row, made by the first server that needs it, so every server on
-- the database accepts the links of the others.
CREATE TABLE report_link_secret (
  id int PRIMARY KEY CHECK (id = 1),
  secret text NOT NULL
);
