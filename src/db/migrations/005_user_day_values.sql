-- The distinct values each user sent on each day, per limited dimension (editor, language, model, repository, …):
-- the per-user, per-day cardinality limit of telemetry-events.md v1.1 holds across requests.
CREATE TABLE user_day_values (
  day date NOT NULL,
  user_id int NOT NULL,
  dimension text NOT NULL,
  value text NOT NULL,
  PRIMARY KEY (day, user_id, dimension, value)
);
