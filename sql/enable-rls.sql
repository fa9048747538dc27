-- Row level security for the example app: every statement is idempotent, so the file runs on every start.
-- A request sets its user with: SELECT set_config('app.current_user_id', '<uuid>', true);
-- Table owners (the migration role) bypass these policies; the app connects as another role.

CREATE OR REPLACE FUNCTION app_current_user_id() RETURNS uuid
  LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('app.current_user_id', true), '')::uuid $$;

-- SECURITY DEFINER: reads users without recursing into the users policy.
CREATE OR REPLACE FUNCTION app_current_organization_id() RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path FROM CURRENT
  AS $fn$
    SELECT organization_id FROM users WHERE id = app_current_user_id();
  $fn$;

ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_data ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE schemaname = current_schema() AND tablename = 'organizations' AND policyname = 'organizations_member_isolation') THEN
    CREATE POLICY organizations_member_isolation ON organizations
      USING (id = app_current_organization_id());
  END IF;
END $$;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE schemaname = current_schema() AND tablename = 'users' AND policyname = 'users_organization_isolation') THEN
    CREATE POLICY users_organization_isolation ON users
      USING (organization_id = app_current_organization_id());
  END IF;
END $$;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE schemaname = current_schema() AND tablename = 'user_data' AND policyname = 'user_data_owner_isolation') THEN
    -- A user sees and writes only its own rows ('; -- inside a string does not split the statement).
    CREATE POLICY user_data_owner_isolation ON user_data
      USING (user_id = app_current_user_id())
      WITH CHECK (user_id = app_current_user_id() AND organization_id = app_current_organization_id());
  END IF;
END $$;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE schemaname = current_schema() AND tablename = 'api_keys' AND policyname = 'api_keys_organization_isolation') THEN
    CREATE POLICY api_keys_organization_isolation ON api_keys
      USING (organization_id = app_current_organization_id());
  END IF;
END $$;
