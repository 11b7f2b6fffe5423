-- The pool's life (issue 14): membership terms and the statuses expired and
-- graduated, direct admissions, revocation bars, stored re-evaluation
-- previews, and the policy behind them.
INSERT INTO policy_settings (key, value, description) VALUES
  ('membership_term_years', '3', 'Years a pool membership is valid before it must pass a re-review (复核)'),
  ('pool_exit_failed_reviews', coalesce((SELECT value FROM policy_settings WHERE key = 'pool_exit_missing_years'), '2'),
    'A member that fails this many re-reviews in a row (no declaration, or failed gates) exits; one failure warns'),
  ('graduation_paths', '{"startup":"innovative_growth","innovative_growth":"leading_platform"}',
    'Program → the next program on the growth path: a member that outgrows its program moves on instead of exiting'),
  ('direct_routes', '{"leading_platform":[{"basis":"ten_billion_tier","nameZh":"百亿级企业直通","nameEn":"Ten-billion tier","conditions":[{"gate":"tier_at_least","tier":"ten_billion"}]}]}',
    'Direct admission (直通) without a call: per program, the bases and the conditions (gates) each needs'),
  ('revocation_bar_years', '3', 'Years a firm whose membership was revoked may not apply to any call')
ON CONFLICT (key) DO NOTHING;
--> statement-breakpoint
ALTER TABLE "pool_memberships" DROP CONSTRAINT IF EXISTS "pool_memberships_status_check";
--> statement-breakpoint
ALTER TABLE "pool_memberships" ADD CONSTRAINT "pool_memberships_status_check"
  CHECK ("status" in ('notice','active','warned','expired','exited','revoked','graduated'));
--> statement-breakpoint
ALTER TABLE "pool_memberships" ADD COLUMN IF NOT EXISTS "valid_from" date;
--> statement-breakpoint
ALTER TABLE "pool_memberships" ADD COLUMN IF NOT EXISTS "valid_until" date;
--> statement-breakpoint
ALTER TABLE "pool_memberships" ADD COLUMN IF NOT EXISTS "direct" boolean DEFAULT false NOT NULL;
--> statement-breakpoint
ALTER TABLE "pool_memberships" ADD COLUMN IF NOT EXISTS "admission_basis" text;
--> statement-breakpoint
ALTER TABLE "pool_memberships" ADD COLUMN IF NOT EXISTS "barred_until" date;
--> statement-breakpoint
ALTER TABLE "pool_memberships" ADD COLUMN IF NOT EXISTS "graduated_from" uuid REFERENCES "pool_memberships"("id");
--> statement-breakpoint
-- Existing memberships: a term from the admission day.
UPDATE "pool_memberships" SET
  "valid_from" = "admitted_on",
  "valid_until" = ("admitted_on" + make_interval(years => (SELECT (value #>> '{}')::int FROM policy_settings WHERE key = 'membership_term_years')))::date - 1
WHERE "valid_from" IS NULL OR "valid_until" IS NULL;
--> statement-breakpoint
ALTER TABLE "pool_memberships" ALTER COLUMN "valid_from" SET NOT NULL;
--> statement-breakpoint
ALTER TABLE "pool_memberships" ALTER COLUMN "valid_until" SET NOT NULL;
--> statement-breakpoint
-- Rows written without a term (bulk loads, older code paths) get one from the admission day and the policy.
CREATE OR REPLACE FUNCTION pool_membership_term() RETURNS trigger AS $$
BEGIN
  NEW.valid_from := coalesce(NEW.valid_from, NEW.admitted_on);
  IF NEW.valid_until IS NULL THEN
    NEW.valid_until := (NEW.valid_from + make_interval(years => coalesce(
      (SELECT (value #>> '{}')::int FROM policy_settings WHERE key = 'membership_term_years'), 3)))::date - 1;
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
--> statement-breakpoint
DROP TRIGGER IF EXISTS pool_membership_term ON pool_memberships;
--> statement-breakpoint
CREATE TRIGGER pool_membership_term BEFORE INSERT ON pool_memberships FOR EACH ROW EXECUTE FUNCTION pool_membership_term();
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "pool_memberships_status_until_idx" ON "pool_memberships" USING btree ("status", "valid_until");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "pool_memberships_barred_idx" ON "pool_memberships" USING btree ("enterprise_id", "barred_until") WHERE "barred_until" IS NOT NULL;
--> statement-breakpoint
-- A direct admission has a public notice but no application.
ALTER TABLE "public_notices" ALTER COLUMN "application_id" DROP NOT NULL;
--> statement-breakpoint
-- Adds the kind membership_changed to whatever kinds the constraint allows
-- now (other changes add their own kinds to the same constraint).
DO $$
DECLARE
  def text;
  kinds text[];
BEGIN
  SELECT pg_get_constraintdef(oid) INTO def FROM pg_constraint
    WHERE conname = 'notifications_kind_check' AND conrelid = 'notifications'::regclass;
  IF def IS NULL THEN RETURN; END IF;
  kinds := ARRAY(SELECT DISTINCT (regexp_matches(def, '''([a-z_]+)''', 'g'))[1]);
  IF 'membership_changed' = ANY (kinds) THEN RETURN; END IF;
  kinds := kinds || 'membership_changed'::text;
  ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
  EXECUTE format('ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind = ANY (%L::text[]))', kinds);
END
$$;
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "pool_reevaluations" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
  "year" integer NOT NULL,
  "state" text DEFAULT 'previewed' NOT NULL,
  "fingerprint" text NOT NULL,
  "evaluated" integer NOT NULL,
  "unchanged" integer NOT NULL,
  "counts" jsonb NOT NULL,
  "changes" jsonb NOT NULL,
  "updates" jsonb NOT NULL,
  "created_by" uuid REFERENCES "users"("id"),
  "created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
  "applied_by" uuid REFERENCES "users"("id"),
  "applied_at" timestamp (3) with time zone,
  CONSTRAINT "pool_reevaluations_state_check" CHECK ("state" in ('previewed','applied'))
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "pool_reevaluations_state_year_idx" ON "pool_reevaluations" USING btree ("state", "year");
