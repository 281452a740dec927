-- pilotlog schema v1. Every table is keyed so it could be distributed (Citus) by its leading key column.

CREATE TABLE enterprises (
  id serial PRIMARY KEY,
  slug text NOT NULL UNIQUE,            -- stored lowercase
  name text NOT NULL,
  policy text NOT NULL CHECK (policy IN ('enabled', 'disabled', 'no_policy'))
);

CREATE TABLE organizations (
  id serial PRIMARY KEY,
  login text NOT NULL,
  login_lower text NOT NULL UNIQUE,
  name text NOT NULL,
  enterprise_id int REFERENCES enterprises(id),
  policy text NOT NULL CHECK (policy IN ('enabled', 'disabled'))
);

-- Organization teams have org_id; enterprise teams have enterprise_id.
CREATE TABLE teams (
  id serial PRIMARY KEY,
  org_id int REFERENCES organizations(id) ON DELETE CASCADE,
  enterprise_id int REFERENCES enterprises(id) ON DELETE CASCADE,
  slug text NOT NULL,                   -- stored lowercase
  name text NOT NULL,
  CHECK ((org_id IS NULL) <> (enterprise_id IS NULL))
);
CREATE UNIQUE INDEX teams_org_slug ON teams (org_id, slug) WHERE org_id IS NOT NULL;
CREATE UNIQUE INDEX teams_ent_slug ON teams (enterprise_id, slug) WHERE enterprise_id IS NOT NULL;

CREATE TABLE users (
  id serial PRIMARY KEY,
  login text NOT NULL,
  login_lower text NOT NULL UNIQUE,
  telemetry boolean NOT NULL DEFAULT true
);

-- The telemetry flag over time: the value from from_day on (days before the first row: enabled).
CREATE TABLE user_telemetry (
  user_id int NOT NULL REFERENCES users(id),
  from_day date NOT NULL,
  enabled boolean NOT NULL,
  PRIMARY KEY (user_id, from_day)
);

-- Memberships, roles and seats, each valid on since <= day <= until (NULL = unbounded).
-- scope_kind: ent | org | team | eteam; role: member | owner | billing_manager | seat.
CREATE TABLE grants (
  scope_kind text NOT NULL,
  scope_id int NOT NULL,
  user_id int NOT NULL REFERENCES users(id),
  role text NOT NULL,
  since date,
  until date
);
CREATE INDEX grants_scope ON grants (scope_kind, scope_id);
CREATE INDEX grants_user ON grants (user_id);

CREATE TABLE custom_models (
  name text PRIMARY KEY,
  training_date date,
  owner text
);

CREATE TABLE tokens (
  hash text PRIMARY KEY,                -- sha256 hex of the secret; the secret is never stored
  kind text NOT NULL,
  user_id int REFERENCES users(id),
  scopes text[] NOT NULL DEFAULT '{}',
  resource_org_id int REFERENCES organizations(id),
  permissions jsonb NOT NULL DEFAULT '{}',
  expires_at timestamptz,
  revoked_at timestamptz,
  source text NOT NULL DEFAULT 'file',  -- file | cli
  label text,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Event ids already received (md5 of the id as a uuid), kept while their day can still change.
CREATE TABLE event_ids (
  id_hash uuid PRIMARY KEY,
  day date NOT NULL
);
CREATE INDEX event_ids_day ON event_ids (day);

CREATE TABLE facts (
  day date NOT NULL,
  user_id int NOT NULL,
  feature text NOT NULL,
  editor text NOT NULL,
  model text NOT NULL,
  dim text NOT NULL,
  n1 bigint NOT NULL DEFAULT 0,
  n2 bigint NOT NULL DEFAULT 0,
  n3 bigint NOT NULL DEFAULT 0,
  n4 bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (day, user_id, feature, editor, model, dim)
);

-- Closed days that changed (late events, directory changes) since they were processed.
CREATE TABLE dirty_days (
  day date PRIMARY KEY,
  reason text NOT NULL,
  marked_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE processed_days (
  day date PRIMARY KEY,
  processed_at timestamptz NOT NULL,
  active_users int NOT NULL,
  documents int NOT NULL
);

-- One serialized copilot-usage-metrics-day per scope and day; scope is 'ent:ID' | 'org:ID' | 'team:ID' | 'eteam:ID'.
CREATE TABLE day_documents (
  scope text NOT NULL,
  day date NOT NULL,
  body text NOT NULL,
  hash text NOT NULL,
  PRIMARY KEY (scope, day)
);
CREATE INDEX day_documents_day ON day_documents (day);
