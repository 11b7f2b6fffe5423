-- Districts (issue 15): district officers who see their district's firms and
-- pre-screen its applications when a call asks for it; targets per district;
-- a firm's primary domain (the one it counts in for domain shares of revenue).
ALTER TABLE "users" ADD COLUMN IF NOT EXISTS "district_code" text REFERENCES "districts"("code");
--> statement-breakpoint
ALTER TABLE "users" DROP CONSTRAINT IF EXISTS "users_role_check";
--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_role_check" CHECK ("role" in ('enterprise','reviewer','officer','analyst','admin','district_officer'));
--> statement-breakpoint
ALTER TABLE "users" DROP CONSTRAINT IF EXISTS "users_district_check";
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
