-- A cheap, exact stamp of each year's analytics data (server/services/analytics.ts
-- keeps a year's figures in memory until it changes). Every statement that
-- writes a year's rows of analytics_firm_years adds one to a counter of that
-- year; the stamp is the sum of the year's counters. Counters only grow, so
-- each committed change gives a stamp never seen before, and a reader takes
-- the stamp in the same snapshot as the figures. The counters are sharded by
-- the writing backend (16 rows per year) so that concurrent writers of one
-- year do not queue behind one row; the analytics triggers run at commit, so
-- a counter row is held only for the last moment of the transaction.
CREATE TABLE IF NOT EXISTS "analytics_year_changes" (
  "year" integer NOT NULL,
  "shard" smallint NOT NULL,
  "n" bigint NOT NULL DEFAULT 0,
  CONSTRAINT "analytics_year_changes_pk" PRIMARY KEY ("year", "shard")
);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION analytics_year_changed() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    UPDATE analytics_year_changes SET n = n + 1;
    RETURN NULL;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO analytics_year_changes AS c (year, shard, n)
      SELECT DISTINCT year, (pg_backend_pid() % 16)::smallint, 1 FROM changed_new ORDER BY year
    ON CONFLICT (year, shard) DO UPDATE SET n = c.n + 1;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    INSERT INTO analytics_year_changes AS c (year, shard, n)
      SELECT DISTINCT year, (pg_backend_pid() % 16)::smallint, 1 FROM changed_old ORDER BY year
    ON CONFLICT (year, shard) DO UPDATE SET n = c.n + 1;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
--> statement-breakpoint
DROP TRIGGER IF EXISTS analytics_firm_years_inserted ON analytics_firm_years;
--> statement-breakpoint
CREATE TRIGGER analytics_firm_years_inserted AFTER INSERT ON analytics_firm_years
  REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION analytics_year_changed();
--> statement-breakpoint
DROP TRIGGER IF EXISTS analytics_firm_years_updated ON analytics_firm_years;
--> statement-breakpoint
CREATE TRIGGER analytics_firm_years_updated AFTER UPDATE ON analytics_firm_years
  REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION analytics_year_changed();
--> statement-breakpoint
DROP TRIGGER IF EXISTS analytics_firm_years_deleted ON analytics_firm_years;
--> statement-breakpoint
CREATE TRIGGER analytics_firm_years_deleted AFTER DELETE ON analytics_firm_years
  REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION analytics_year_changed();
--> statement-breakpoint
DROP TRIGGER IF EXISTS analytics_firm_years_truncated ON analytics_firm_years;
--> statement-breakpoint
CREATE TRIGGER analytics_firm_years_truncated AFTER TRUNCATE ON analytics_firm_years
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_year_changed();
--> statement-breakpoint
-- A firm's primary domain decides its domain shares: changing it refreshes the
-- firm's rollup rows like a change of district (and so changes the stamp).
DROP TRIGGER IF EXISTS analytics_enterprises ON enterprises;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER analytics_enterprises AFTER UPDATE OF district_code, primary_domain ON enterprises
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION analytics_firm_changed('id');
--> statement-breakpoint
-- The years already in the rollup start with a count.
INSERT INTO analytics_year_changes (year, shard, n)
  SELECT DISTINCT year, 0::smallint, 1 FROM analytics_firm_years
ON CONFLICT (year, shard) DO UPDATE SET n = analytics_year_changes.n + 1;
