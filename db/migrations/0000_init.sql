CREATE TABLE "districts" (
	"code" text PRIMARY KEY NOT NULL,
	"name_zh" text NOT NULL,
	"name_en" text NOT NULL,
	"kind" text NOT NULL,
	CONSTRAINT "districts_kind_check" CHECK ("districts"."kind" in ('district','county','city','pilot_zone'))
);
--> statement-breakpoint
CREATE TABLE "domains" (
	"code" text PRIMARY KEY NOT NULL,
	"name_zh" text NOT NULL,
	"name_en" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "plan_targets" (
	"id" serial PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"measure" text NOT NULL,
	"tier_code" text,
	"comparator" text NOT NULL,
	"goal" numeric(24, 4) NOT NULL,
	"unit" text NOT NULL,
	"due_year" integer NOT NULL,
	"label_zh" text NOT NULL,
	"label_en" text NOT NULL,
	CONSTRAINT "plan_targets_comparator_check" CHECK ("plan_targets"."comparator" in ('gte','gt','lte','lt'))
);
--> statement-breakpoint
CREATE TABLE "policy_settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"description" text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "programs" (
	"code" text PRIMARY KEY NOT NULL,
	"name_zh" text NOT NULL,
	"name_en" text NOT NULL,
	"description_en" text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tier_rules" (
	"id" serial PRIMARY KEY NOT NULL,
	"tier_code" text NOT NULL,
	"min_revenue" numeric(20, 2) NOT NULL,
	"from_year" integer NOT NULL,
	"to_year" integer,
	"domain_code" text,
	"note" text
);
--> statement-breakpoint
CREATE TABLE "tiers" (
	"code" text PRIMARY KEY NOT NULL,
	"name_zh" text NOT NULL,
	"name_en" text NOT NULL,
	"rank" integer NOT NULL,
	CONSTRAINT "tiers_rank_unique" UNIQUE("rank")
);
--> statement-breakpoint
CREATE TABLE "enterprise_domains" (
	"enterprise_id" uuid NOT NULL,
	"domain_code" text NOT NULL,
	CONSTRAINT "enterprise_domains_enterprise_id_domain_code_pk" PRIMARY KEY("enterprise_id","domain_code")
);
--> statement-breakpoint
CREATE TABLE "enterprises" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"uscc" text NOT NULL,
	"name" text NOT NULL,
	"district_code" text NOT NULL,
	"founded_on" date NOT NULL,
	"contact_name" text,
	"contact_phone" text,
	"address" text,
	"website" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "enterprises_uscc_unique" UNIQUE("uscc")
);
--> statement-breakpoint
CREATE TABLE "revoked_tokens" (
	"jti" text PRIMARY KEY NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"password_hash" text NOT NULL,
	"role" text NOT NULL,
	"enterprise_id" uuid,
	"employer_uscc" text,
	"disabled" boolean DEFAULT false NOT NULL,
	"token_version" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_unique" UNIQUE("email"),
	CONSTRAINT "users_role_check" CHECK ("users"."role" in ('enterprise','reviewer','officer','analyst','admin')),
	CONSTRAINT "users_enterprise_check" CHECK (("users"."role" = 'enterprise') = ("users"."enterprise_id" is not null))
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor_id" uuid,
	"actor_role" text,
	"action" text NOT NULL,
	"object_type" text NOT NULL,
	"object_id" text NOT NULL,
	"before" jsonb,
	"after" jsonb,
	"request_id" text,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "audit_log_hash_unique" UNIQUE("hash")
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"user_id" uuid NOT NULL,
	"key" text NOT NULL,
	"route" text NOT NULL,
	"request_hash" text NOT NULL,
	"status_code" integer,
	"response" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_user_id_key_pk" PRIMARY KEY("user_id","key")
);
--> statement-breakpoint
CREATE TABLE "declarations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"enterprise_id" uuid NOT NULL,
	"year" integer NOT NULL,
	"operating_revenue" numeric(18, 2) NOT NULL,
	"software_revenue" numeric(18, 2) NOT NULL,
	"rd_expense" numeric(18, 2) NOT NULL,
	"export_revenue" numeric(18, 2) DEFAULT '0' NOT NULL,
	"main_business_revenue" numeric(18, 2),
	"total_assets" numeric(18, 2),
	"total_liabilities" numeric(18, 2),
	"employees" integer NOT NULL,
	"rd_staff" integer NOT NULL,
	"patents" integer DEFAULT 0 NOT NULL,
	"software_copyrights" integer DEFAULT 0 NOT NULL,
	"tier_code" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "declarations_enterprise_year_key" UNIQUE("enterprise_id","year"),
	CONSTRAINT "declarations_nonnegative" CHECK ("declarations"."operating_revenue" >= 0 and "declarations"."software_revenue" >= 0 and "declarations"."rd_expense" >= 0 and "declarations"."export_revenue" >= 0 and "declarations"."employees" >= 0 and "declarations"."rd_staff" >= 0 and "declarations"."patents" >= 0 and "declarations"."software_copyrights" >= 0)
);
--> statement-breakpoint
CREATE TABLE "pool_memberships" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"enterprise_id" uuid NOT NULL,
	"program_code" text NOT NULL,
	"application_id" uuid,
	"tier_at_admission" text NOT NULL,
	"current_tier" text NOT NULL,
	"admitted_on" date NOT NULL,
	"status" text NOT NULL,
	"status_reason" text,
	"missing_years" integer DEFAULT 0 NOT NULL,
	"last_evaluated_year" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "pool_memberships_status_check" CHECK ("pool_memberships"."status" in ('notice','active','warned','exited','revoked'))
);
--> statement-breakpoint
ALTER TABLE "plan_targets" ADD CONSTRAINT "plan_targets_tier_code_tiers_code_fk" FOREIGN KEY ("tier_code") REFERENCES "public"."tiers"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tier_rules" ADD CONSTRAINT "tier_rules_tier_code_tiers_code_fk" FOREIGN KEY ("tier_code") REFERENCES "public"."tiers"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tier_rules" ADD CONSTRAINT "tier_rules_domain_code_domains_code_fk" FOREIGN KEY ("domain_code") REFERENCES "public"."domains"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enterprise_domains" ADD CONSTRAINT "enterprise_domains_enterprise_id_enterprises_id_fk" FOREIGN KEY ("enterprise_id") REFERENCES "public"."enterprises"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enterprise_domains" ADD CONSTRAINT "enterprise_domains_domain_code_domains_code_fk" FOREIGN KEY ("domain_code") REFERENCES "public"."domains"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enterprises" ADD CONSTRAINT "enterprises_district_code_districts_code_fk" FOREIGN KEY ("district_code") REFERENCES "public"."districts"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_enterprise_id_enterprises_id_fk" FOREIGN KEY ("enterprise_id") REFERENCES "public"."enterprises"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "declarations" ADD CONSTRAINT "declarations_enterprise_id_enterprises_id_fk" FOREIGN KEY ("enterprise_id") REFERENCES "public"."enterprises"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "declarations" ADD CONSTRAINT "declarations_tier_code_tiers_code_fk" FOREIGN KEY ("tier_code") REFERENCES "public"."tiers"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pool_memberships" ADD CONSTRAINT "pool_memberships_enterprise_id_enterprises_id_fk" FOREIGN KEY ("enterprise_id") REFERENCES "public"."enterprises"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pool_memberships" ADD CONSTRAINT "pool_memberships_program_code_programs_code_fk" FOREIGN KEY ("program_code") REFERENCES "public"."programs"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pool_memberships" ADD CONSTRAINT "pool_memberships_tier_at_admission_tiers_code_fk" FOREIGN KEY ("tier_at_admission") REFERENCES "public"."tiers"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pool_memberships" ADD CONSTRAINT "pool_memberships_current_tier_tiers_code_fk" FOREIGN KEY ("current_tier") REFERENCES "public"."tiers"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "tier_rules_tier_idx" ON "tier_rules" USING btree ("tier_code");--> statement-breakpoint
CREATE INDEX "enterprise_domains_domain_idx" ON "enterprise_domains" USING btree ("domain_code");--> statement-breakpoint
CREATE INDEX "enterprises_district_idx" ON "enterprises" USING btree ("district_code");--> statement-breakpoint
CREATE INDEX "users_enterprise_idx" ON "users" USING btree ("enterprise_id");--> statement-breakpoint
CREATE INDEX "audit_object_idx" ON "audit_log" USING btree ("object_type","object_id");--> statement-breakpoint
CREATE INDEX "audit_actor_idx" ON "audit_log" USING btree ("actor_id");--> statement-breakpoint
CREATE INDEX "declarations_year_tier_idx" ON "declarations" USING btree ("year","tier_code");--> statement-breakpoint
CREATE INDEX "pool_memberships_enterprise_idx" ON "pool_memberships" USING btree ("enterprise_id");--> statement-breakpoint
CREATE INDEX "pool_memberships_program_status_idx" ON "pool_memberships" USING btree ("program_code","status");