-- SUPERSEDED IN PART: 0009_analytics_totals_triggers.sql re-creates
-- analytics_rebuild() and analytics_refresh_firm() (to maintain analytics_totals
-- too); their current bodies are in 0009, not here. analytics_firm_changed()
-- and the triggers below are still current.
-- Analytics rollup maintenance (db/schema/analytics.ts, tables in 0006). Deferred constraint
-- triggers run at COMMIT, after the transaction's audit entry has taken the
-- audit chain's lock, so audited writers never wait on each other's cells in
-- two orders (no deadlock), and the rollup is exact at every commit.
-- Set `peiyu.analytics_bulk = on` (SET LOCAL) for bulk loads, then call
-- analytics_rebuild().

-- Takes one firm's contributions out of the cells and puts them back from the
-- current declarations, district, domains and live pool program. p_year limits
-- it to one declaration year (null = all years).
CREATE OR REPLACE FUNCTION analytics_refresh_firm(p_enterprise uuid, p_year integer) RETURNS void AS $$
DECLARE
  v_district text;
  v_program text;
  v_domains text[];
BEGIN
  WITH old AS (
    DELETE FROM analytics_firm_years f
    WHERE f.enterprise_id = p_enterprise AND (p_year IS NULL OR f.year = p_year)
    RETURNING f.*
  ), gone AS (
    SELECT year, tier_code, district_code, program_code, domains, count(*)::int AS n,
      sum(operating_revenue) AS op, sum(software_revenue) AS sw, sum(rd_expense) AS rd, sum(employees)::bigint AS emp
    FROM old GROUP BY year, tier_code, district_code, program_code, domains
  )
  UPDATE analytics_cells c SET
    firms = c.firms - g.n,
    operating_revenue = c.operating_revenue - g.op,
    software_revenue = c.software_revenue - g.sw,
    rd_expense = c.rd_expense - g.rd,
    employees = c.employees - g.emp
  FROM gone g
  WHERE c.year = g.year AND c.tier_code = g.tier_code AND c.district_code = g.district_code
    AND c.program_code = g.program_code AND c.domains = g.domains;

  SELECT e.district_code INTO v_district FROM enterprises e WHERE e.id = p_enterprise;
  IF v_district IS NULL THEN
    RETURN;
  END IF;
  SELECT coalesce(array_agg(d.domain_code ORDER BY d.domain_code), '{}') INTO v_domains
    FROM enterprise_domains d WHERE d.enterprise_id = p_enterprise;
  SELECT m.program_code INTO v_program FROM pool_memberships m
    WHERE m.enterprise_id = p_enterprise AND m.status IN ('notice', 'active', 'warned')
    ORDER BY m.admitted_on DESC, m.created_at DESC, m.id LIMIT 1;
  v_program := coalesce(v_program, '');

  INSERT INTO analytics_firm_years (enterprise_id, year, tier_code, district_code, program_code, domains,
      operating_revenue, software_revenue, rd_expense, employees)
    SELECT d.enterprise_id, d.year, d.tier_code, v_district, v_program, v_domains,
      d.operating_revenue, d.software_revenue, d.rd_expense, d.employees
    FROM declarations d
    WHERE d.enterprise_id = p_enterprise AND (p_year IS NULL OR d.year = p_year);

  INSERT INTO analytics_cells AS c (year, tier_code, district_code, program_code, domains, firms,
      operating_revenue, software_revenue, rd_expense, employees)
    SELECT d.year, d.tier_code, v_district, v_program, v_domains, 1,
      d.operating_revenue, d.software_revenue, d.rd_expense, d.employees
    FROM declarations d
    WHERE d.enterprise_id = p_enterprise AND (p_year IS NULL OR d.year = p_year)
    ORDER BY d.year, d.tier_code
  ON CONFLICT (year, tier_code, district_code, program_code, domains) DO UPDATE SET
    firms = c.firms + excluded.firms,
    operating_revenue = c.operating_revenue + excluded.operating_revenue,
    software_revenue = c.software_revenue + excluded.software_revenue,
    rd_expense = c.rd_expense + excluded.rd_expense,
    employees = c.employees + excluded.employees;
END
$$ LANGUAGE plpgsql;
--> statement-breakpoint
-- Trigger body. TG_ARGV[0]: the column holding the firm's id; TG_ARGV[1]
-- 'year' when only the row's year is affected (declarations).
CREATE OR REPLACE FUNCTION analytics_firm_changed() RETURNS trigger AS $$
DECLARE
  v_new uuid;
  v_old uuid;
  v_new_year integer;
  v_old_year integer;
BEGIN
  IF coalesce(current_setting('peiyu.analytics_bulk', true), '') = 'on' THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    v_new := (to_jsonb(NEW) ->> TG_ARGV[0])::uuid;
    IF TG_NARGS > 1 THEN v_new_year := (to_jsonb(NEW) ->> TG_ARGV[1])::integer; END IF;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    v_old := (to_jsonb(OLD) ->> TG_ARGV[0])::uuid;
    IF TG_NARGS > 1 THEN v_old_year := (to_jsonb(OLD) ->> TG_ARGV[1])::integer; END IF;
  END IF;
  IF v_old IS NOT NULL AND (v_new IS NULL OR v_old <> v_new OR v_old_year IS DISTINCT FROM v_new_year) THEN
    PERFORM analytics_refresh_firm(v_old, v_old_year);
  END IF;
  IF v_new IS NOT NULL THEN
    PERFORM analytics_refresh_firm(v_new, v_new_year);
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER analytics_declarations AFTER INSERT OR UPDATE OR DELETE ON declarations
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION analytics_firm_changed('enterprise_id', 'year');
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER analytics_enterprises AFTER UPDATE OF district_code ON enterprises
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION analytics_firm_changed('id');
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER analytics_enterprise_domains AFTER INSERT OR UPDATE OR DELETE ON enterprise_domains
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION analytics_firm_changed('enterprise_id');
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER analytics_pool_memberships AFTER INSERT OR UPDATE OR DELETE ON pool_memberships
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION analytics_firm_changed('enterprise_id');
--> statement-breakpoint
-- Recomputes the whole rollup from the source tables (after a bulk load).
CREATE OR REPLACE FUNCTION analytics_rebuild() RETURNS void AS $$
BEGIN
  DELETE FROM analytics_firm_years;
  DELETE FROM analytics_cells;
  INSERT INTO analytics_firm_years (enterprise_id, year, tier_code, district_code, program_code, domains,
      operating_revenue, software_revenue, rd_expense, employees)
    SELECT d.enterprise_id, d.year, d.tier_code, e.district_code, coalesce(pm.program_code, ''), coalesce(ed.domains, '{}'),
      d.operating_revenue, d.software_revenue, d.rd_expense, d.employees
    FROM declarations d
    JOIN enterprises e ON e.id = d.enterprise_id
    LEFT JOIN (
      SELECT DISTINCT ON (m.enterprise_id) m.enterprise_id, m.program_code FROM pool_memberships m
      WHERE m.status IN ('notice', 'active', 'warned')
      ORDER BY m.enterprise_id, m.admitted_on DESC, m.created_at DESC, m.id
    ) pm ON pm.enterprise_id = d.enterprise_id
    LEFT JOIN (
      SELECT x.enterprise_id, array_agg(x.domain_code ORDER BY x.domain_code) AS domains FROM enterprise_domains x GROUP BY x.enterprise_id
    ) ed ON ed.enterprise_id = d.enterprise_id;
  INSERT INTO analytics_cells (year, tier_code, district_code, program_code, domains, firms,
      operating_revenue, software_revenue, rd_expense, employees)
    SELECT year, tier_code, district_code, program_code, domains, count(*)::int,
      sum(operating_revenue), sum(software_revenue), sum(rd_expense), sum(employees)::bigint
    FROM analytics_firm_years
    GROUP BY year, tier_code, district_code, program_code, domains;
END
$$ LANGUAGE plpgsql;
--> statement-breakpoint
SELECT analytics_rebuild();
