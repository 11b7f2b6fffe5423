-- Issue 13, the commission's real year: what a call's notice carries, the
-- revision window of a returned application, reviewers replaced or reminded,
-- reviewers' fields of expertise, and the policy values these rules read.
ALTER TABLE "calls" ADD COLUMN IF NOT EXISTS "guidelines" text DEFAULT '' NOT NULL;
--> statement-breakpoint
ALTER TABLE "calls" ADD COLUMN IF NOT EXISTS "required_documents" jsonb DEFAULT '[]'::jsonb NOT NULL;
--> statement-breakpoint
ALTER TABLE "calls" ADD COLUMN IF NOT EXISTS "quota" integer;
--> statement-breakpoint
ALTER TABLE "calls" ADD COLUMN IF NOT EXISTS "review_due_at" timestamp (3) with time zone;
--> statement-breakpoint
ALTER TABLE "calls" ADD COLUMN IF NOT EXISTS "revision_days" integer DEFAULT 10 NOT NULL;
--> statement-breakpoint
ALTER TABLE "calls" DROP CONSTRAINT IF EXISTS "calls_quota_check";
--> statement-breakpoint
ALTER TABLE "calls" ADD CONSTRAINT "calls_quota_check" CHECK ("calls"."quota" is null or "calls"."quota" >= 0);
--> statement-breakpoint
ALTER TABLE "calls" DROP CONSTRAINT IF EXISTS "calls_revision_days_check";
--> statement-breakpoint
ALTER TABLE "calls" ADD CONSTRAINT "calls_revision_days_check" CHECK ("calls"."revision_days" between 0 and 365);
--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN IF NOT EXISTS "kind" text;
--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN IF NOT EXISTS "returned_at" timestamp (3) with time zone;
--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN IF NOT EXISTS "revision_due_at" timestamp (3) with time zone;
--> statement-breakpoint
ALTER TABLE "reviews" DROP CONSTRAINT IF EXISTS "reviews_state_check";
--> statement-breakpoint
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_state_check" CHECK ("reviews"."state" in ('assigned','draft','submitted','recused','reassigned'));
--> statement-breakpoint
ALTER TABLE "reviews" ADD COLUMN IF NOT EXISTS "reassign_reason" text;
--> statement-breakpoint
ALTER TABLE "reviews" ADD COLUMN IF NOT EXISTS "replaced_by" uuid;
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN IF NOT EXISTS "domains" text[] DEFAULT '{}' NOT NULL;
--> statement-breakpoint
ALTER TABLE "notifications" DROP CONSTRAINT IF EXISTS "notifications_kind_check";
--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_kind_check" CHECK (kind in ('review_assigned','call_closing','application_returned','decision_made','appeal_received','objection_received','review_due_soon','review_overdue','review_recused','review_reassigned'));
--> statement-breakpoint
INSERT INTO policy_settings (key, value, description) VALUES
  ('revision_days', '10', 'Default days a returned application may be resubmitted in, even after its call closed (a call may set its own)'),
  ('review_reminder_days', '3', 'Reviewers with open reviews are reminded this many days before the call''s review due date'),
  ('letter_issuing_body', '"大连市经济和信息化委员会"', 'The issuing body printed on decision letters')
ON CONFLICT (key) DO NOTHING;
