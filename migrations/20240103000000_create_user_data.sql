-- name: Create User Data
-- description: Documents owned by a user inside an organization; the table RLS isolates.
CREATE TABLE IF NOT EXISTS user_data (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  key text NOT NULL,
  value jsonb NOT NULL DEFAULT '{}'::jsonb,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, key)
);
CREATE INDEX IF NOT EXISTS user_data_organization_id_idx ON user_data (organization_id);

-- migrate:down
DROP TABLE IF EXISTS user_data;
