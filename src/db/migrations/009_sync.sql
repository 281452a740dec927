-- `pilotlog sync`: which upstream scope's day was synced when, so a run resumes where the last one stopped.
-- api: the upstream base URL; scope: 'org:LOGIN' | 'ent:SLUG' as named upstream (lowercase).
-- records / team_rows: what the day's users-1-day and user-teams-1-day files held.
CREATE TABLE sync_days (
  api text NOT NULL,
  scope text NOT NULL,
  day date NOT NULL,
  synced_at timestamptz NOT NULL,
  records int NOT NULL DEFAULT 0,
  team_rows int NOT NULL DEFAULT 0,
  PRIMARY KEY (api, scope, day)
);
