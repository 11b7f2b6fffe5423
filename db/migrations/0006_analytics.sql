CREATE TABLE "analytics_cells" (
	"year" integer NOT NULL,
	"tier_code" text NOT NULL,
	"district_code" text NOT NULL,
	"program_code" text NOT NULL,
	"domains" text[] NOT NULL,
	"firms" integer NOT NULL,
	"operating_revenue" numeric(24, 2) NOT NULL,
	"software_revenue" numeric(24, 2) NOT NULL,
	"rd_expense" numeric(24, 2) NOT NULL,
	"employees" bigint NOT NULL,
	CONSTRAINT "analytics_cells_year_tier_code_district_code_program_code_domains_pk" PRIMARY KEY("year","tier_code","district_code","program_code","domains")
);
--> statement-breakpoint
CREATE TABLE "analytics_firm_years" (
	"enterprise_id" uuid NOT NULL,
	"year" integer NOT NULL,
	"tier_code" text NOT NULL,
	"district_code" text NOT NULL,
	"program_code" text NOT NULL,
	"domains" text[] NOT NULL,
	"operating_revenue" numeric(18, 2) NOT NULL,
	"software_revenue" numeric(18, 2) NOT NULL,
	"rd_expense" numeric(18, 2) NOT NULL,
	"employees" integer NOT NULL,
	CONSTRAINT "analytics_firm_years_enterprise_id_year_pk" PRIMARY KEY("enterprise_id","year")
);
--> statement-breakpoint
CREATE TABLE "pool_evaluations" (
	"id" serial PRIMARY KEY NOT NULL,
	"year" integer NOT NULL,
	"run_by" uuid,
	"run_at" timestamp with time zone DEFAULT now() NOT NULL,
	"changes" integer NOT NULL,
	"report" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "pool_evaluations" ADD CONSTRAINT "pool_evaluations_run_by_users_id_fk" FOREIGN KEY ("run_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "pool_evaluations_year_idx" ON "pool_evaluations" USING btree ("year");