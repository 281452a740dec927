-- For the companion endpoints (seats, teams, members, user): creation times and each user's latest activity.

ALTER TABLE enterprises ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE organizations ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE teams ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE users ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();

-- The latest event of each user (seat last_activity_at) and the editor of their latest editor event.
CREATE TABLE user_activity (
  user_id int PRIMARY KEY REFERENCES users(id),
  last_at timestamptz NOT NULL,
  editor text,
  editor_at timestamptz
);

-- Seats assigned through a team (GitHub's assigning_team).
ALTER TABLE grants ADD COLUMN team_id int REFERENCES teams(id) ON DELETE SET NULL;
