-- Support funds (专项资金): a program's yearly budget, the awards made from it to
-- active pool members, and the payments of each award.
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

