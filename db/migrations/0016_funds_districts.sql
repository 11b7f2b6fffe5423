-- Support funds (专项资金) with awards and payments; district officers and the
-- district pre-screen of applications; targets per district; a firm's primary
-- domain.
CREATE TABLE IF NOT EXISTS "funds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"year" integer NOT NULL,
	"program_code" text NOT NULL REFERENCES "programs"("code"),
	"name" text NOT NULL,
	"budget" numeric(18, 2) NOT NULL,
	"created_by" uuid REFERENCES "users"("id"),
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "funds_budget_check" CHECK ("budget" > 0),
	CONSTRAINT "funds_year_program_name_key" UNIQUE ("year", "program_code", "name")
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "funds_year_program_idx" ON "funds" ("year", "program_code");
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "fund_awards" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"fund_id" uuid NOT NULL REFERENCES "funds"("id"),
	"enterprise_id" uuid NOT NULL REFERENCES "enterprises"("id"),
	"membership_id" uuid NOT NULL REFERENCES "pool_memberships"("id"),
	"amount" numeric(18, 2) NOT NULL,
	"paid" numeric(18, 2) DEFAULT 0 NOT NULL,
	"purpose" text NOT NULL,
	"state" text DEFAULT 'awarded' NOT NULL,
	"cancel_reason" text,
	"awarded_by" uuid REFERENCES "users"("id"),
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "fund_awards_amount_check" CHECK ("amount" > 0 AND "paid" >= 0 AND "paid" <= "amount"),
	CONSTRAINT "fund_awards_state_check" CHECK ("state" in ('awarded','partly_paid','paid','cancelled'))
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "fund_awards_fund_idx" ON "fund_awards" ("fund_id", "created_at");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "fund_awards_enterprise_idx" ON "fund_awards" ("enterprise_id", "created_at");
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "fund_payments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"award_id" uuid NOT NULL REFERENCES "fund_awards"("id"),
	"amount" numeric(18, 2) NOT NULL,
	"paid_on" date NOT NULL,
	"recorded_by" uuid REFERENCES "users"("id"),
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "fund_payments_amount_check" CHECK ("amount" > 0)
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "fund_payments_award_idx" ON "fund_payments" ("award_id", "paid_on");
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN IF NOT EXISTS "district_code" text REFERENCES "districts"("code");
--> statement-breakpoint
ALTER TABLE "users" DROP CONSTRAINT IF EXISTS "users_role_check";
--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_role_check" CHECK ("role" in ('enterprise','reviewer','officer','analyst','admin','district_officer'));
--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_district_check" CHECK (("role" = 'district_officer') = ("district_code" is not null));
--> statement-breakpoint
ALTER TABLE "enterprises" ADD COLUMN IF NOT EXISTS "primary_domain" text REFERENCES "domains"("code");
--> statement-breakpoint
UPDATE "enterprises" e SET "primary_domain" = (SELECT min(d."domain_code") FROM "enterprise_domains" d WHERE d."enterprise_id" = e."id")
WHERE e."primary_domain" IS NULL;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "enterprises_primary_domain_idx" ON "enterprises" ("primary_domain");
--> statement-breakpoint
ALTER TABLE "calls" ADD COLUMN IF NOT EXISTS "district_review" boolean DEFAULT false NOT NULL;
--> statement-breakpoint
ALTER TABLE "applications" DROP CONSTRAINT IF EXISTS "applications_state_check";
--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_state_check" CHECK (state in
	('draft','submitted','district_reviewed','under_review','scored','admitted','rejected','ineligible','returned','withdrawn','appealed'));
--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN IF NOT EXISTS "district_recommend" boolean;
--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN IF NOT EXISTS "district_opinion" text;
--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN IF NOT EXISTS "district_reviewed_by" uuid REFERENCES "users"("id");
--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN IF NOT EXISTS "district_reviewed_at" timestamp (3) with time zone;
--> statement-breakpoint
ALTER TABLE "plan_targets" ADD COLUMN IF NOT EXISTS "district_code" text REFERENCES "districts"("code");
--> statement-breakpoint
ALTER TABLE "plan_targets" ADD COLUMN IF NOT EXISTS "domains" text[];
