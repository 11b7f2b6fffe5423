-- Many instances on one database (issue 12).
-- Secrets the instances must share (the JWT signing secret when JWT_SECRET is not set outside production).
CREATE TABLE IF NOT EXISTS "service_secrets" (
	"name" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- Background chores: one row per chore; an instance runs a tick only if it moves last_run_at forward (one per interval across instances).
CREATE TABLE IF NOT EXISTS "chore_runs" (
	"name" text PRIMARY KEY NOT NULL,
	"last_run_at" timestamp with time zone NOT NULL,
	"run_by" text
);
--> statement-breakpoint
-- The audit trail without a global lock: a write appends its entry with its own content hash;
-- the sequencer later gives it a place (seq) in the chain and the chain hash (prev_hash, hash).
ALTER TABLE "audit_log" ADD COLUMN IF NOT EXISTS "content_hash" text;
--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN IF NOT EXISTS "seq" bigint;
--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN IF NOT EXISTS "sequenced_at" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "audit_log" ALTER COLUMN "prev_hash" DROP NOT NULL;
--> statement-breakpoint
ALTER TABLE "audit_log" ALTER COLUMN "hash" DROP NOT NULL;
--> statement-breakpoint
-- Entries written before this migration were chained at write time, in id order: their place is their id.
ALTER TABLE "audit_log" DISABLE TRIGGER "audit_log_no_update_delete";
--> statement-breakpoint
UPDATE "audit_log" SET "seq" = "id", "sequenced_at" = "at" WHERE "seq" IS NULL AND "hash" IS NOT NULL;
--> statement-breakpoint
ALTER TABLE "audit_log" ENABLE TRIGGER "audit_log_no_update_delete";
--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "audit_seq_idx" ON "audit_log" USING btree ("seq");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "audit_unsequenced_idx" ON "audit_log" USING btree ("id") WHERE "seq" IS NULL;
--> statement-breakpoint
-- Replaces 0001's audit_log_append_only() (this body is the current one).
-- Still append-only: the one change allowed is the sequencer's, once, giving an unsequenced entry its place
-- and chain hash; its content and content hash never change, and DELETE is always refused.
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF OLD.seq IS NULL AND NEW.seq IS NOT NULL AND NEW.hash IS NOT NULL AND NEW.prev_hash IS NOT NULL
     AND OLD.hash IS NULL AND OLD.prev_hash IS NULL AND OLD.content_hash IS NOT NULL
     AND NEW.id = OLD.id AND NEW.content_hash = OLD.content_hash
     AND (NEW.at, NEW.actor_id, NEW.actor_role, NEW.action, NEW.object_type, NEW.object_id, NEW.request_id)
       IS NOT DISTINCT FROM (OLD.at, OLD.actor_id, OLD.actor_role, OLD.action, OLD.object_type, OLD.object_id, OLD.request_id)
     AND NEW.before IS NOT DISTINCT FROM OLD.before AND NEW.after IS NOT DISTINCT FROM OLD.after THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
