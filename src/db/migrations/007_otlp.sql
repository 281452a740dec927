-- OpenTelemetry in (spec/otlp-ingest.md).

-- The last point taken of each counter series (resource attributes + scope + metric + point attributes, and
-- the user it belongs to): cumulative points add their increase since it, retries add nothing. Series unseen
-- for 24 hours are forgotten (a sweep now and then: no index on seen_at, so updates stay HOT).
-- The key is 60 bits of the md5 of the series key: small and cheap to compare; collisions are negligible.
CREATE TABLE otlp_series (
  key_hash bigint PRIMARY KEY,
  start_ns bigint NOT NULL,
  time_ns bigint NOT NULL,
  value double precision NOT NULL,
  seen_at timestamptz NOT NULL
) WITH (fillfactor = 70);

-- Log records and spans whose usage (tokens, cost, lines) was already added: a retried one adds nothing.
CREATE TABLE otlp_items (
  id_hash uuid PRIMARY KEY,
  day date NOT NULL
);
CREATE INDEX otlp_items_day ON otlp_items (day);

-- Tokens, cost and lines per user, UTC day, tool and model: GitHub's shapes have no field for them.
CREATE TABLE otlp_usage (
  day date NOT NULL,
  user_id int NOT NULL REFERENCES users(id),
  tool text NOT NULL,
  model text NOT NULL,
  input_tokens bigint NOT NULL DEFAULT 0,
  output_tokens bigint NOT NULL DEFAULT 0,
  cache_tokens bigint NOT NULL DEFAULT 0,
  other_tokens bigint NOT NULL DEFAULT 0,
  cost_usd double precision NOT NULL DEFAULT 0,
  lines_added bigint NOT NULL DEFAULT 0,
  lines_deleted bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (day, user_id, tool, model)
);

-- The e-mail addresses a user is known by (directory file `emails:`), to attribute OTLP items by `user.email`.
CREATE TABLE user_emails (
  email_lower text PRIMARY KEY,
  user_id int NOT NULL REFERENCES users(id)
);
CREATE INDEX user_emails_user ON user_emails (user_id);
