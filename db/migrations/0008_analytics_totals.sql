CREATE TABLE "analytics_totals" (
	"year" integer NOT NULL,
	"tier_code" text NOT NULL,
	"district_code" text NOT NULL,
	"program_code" text NOT NULL,
	"firms" integer NOT NULL,
	"operating_revenue" numeric(24, 2) NOT NULL,
	"software_revenue" numeric(24, 2) NOT NULL,
	"rd_expense" numeric(24, 2) NOT NULL,
	"employees" bigint NOT NULL,
	CONSTRAINT "analytics_totals_year_tier_code_district_code_program_code_pk" PRIMARY KEY("year","tier_code","district_code","program_code")
);
