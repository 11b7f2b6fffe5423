-- Policy what-if (issue 18): a stored simulation of a proposed tier rule set,
-- eligibility gates, rubric or plan targets against one year, with the
-- fingerprint of the policy it read (adoption is refused once that changed).
CREATE TABLE IF NOT EXISTS "policy_simulations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"year" integer NOT NULL,
	"state" text DEFAULT 'simulated' NOT NULL,
	"proposal" jsonb NOT NULL,
	"policy_fingerprint" text NOT NULL,
	"result" jsonb NOT NULL,
	"created_by" uuid REFERENCES "users"("id"),
	"created_by_role" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"adopted_by" uuid REFERENCES "users"("id"),
	"adopted_at" timestamp (3) with time zone,
	"adoption" jsonb,
	CONSTRAINT "policy_simulations_state_check" CHECK ("state" in ('simulated','adopted'))
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "policy_simulations_created_idx" ON "policy_simulations" USING btree ("created_at","id");
