-- Processing a day wrote one user_team_rows row per scope, team and member (150,000 rows for 100,000 users): with its
-- five-column key it cost as much as the records themselves (issue 14, "processing ≤ 1.5× the legacy documents").
-- Now one row per scope, day and team with its members in the file's order (logins in code-point order); the files
-- build each line from these columns (the body was nothing but them).
CREATE TABLE user_team_days (
  scope text NOT NULL,
  day date NOT NULL,
  team_id int NOT NULL,
  slug text COLLATE "C" NOT NULL,
  logins text[] COLLATE "C" NOT NULL,
  user_ids int[] NOT NULL,
  PRIMARY KEY (scope, day, team_id)
);

INSERT INTO user_team_days (scope, day, team_id, slug, logins, user_ids)
SELECT scope, day, team_id, slug, array_agg(login ORDER BY login), array_agg((body::json ->> 'user_id')::int ORDER BY login)
FROM user_team_rows GROUP BY scope, day, team_id, slug;

DROP TABLE user_team_rows;

-- The old rows, for readers that counted them (one per scope, day, team and member).
CREATE VIEW user_team_rows AS
SELECT t.scope, t.day, t.slug, m.login, t.team_id, m.user_id
FROM user_team_days t, unnest(t.logins, t.user_ids) AS m(login, user_id);

-- lz4 where the server has it (PostgreSQL 14+ built with it; not PGlite): a record of ≈ 2.4 kB is compressed when
-- stored, and pglz took a third of inserting it. The stored text is the same either way.
DO $$
BEGIN
  ALTER TABLE user_day_records ALTER COLUMN body SET COMPRESSION lz4;
EXCEPTION WHEN OTHERS THEN
  NULL;
END
$$;
