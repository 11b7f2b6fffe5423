-- Export revenue in the rollup's firm-years (db/schema/analytics.ts): the
-- analytics read a year from analytics_firm_years alone instead of joining
-- each firm-year to its declaration (at a million firms that join was most of
-- the read's time). analytics_refresh_firm() and analytics_rebuild() of
-- migration 0009 are replaced to fill it; the bodies here are the current ones
-- (restated whole, as CREATE OR REPLACE needs: only the firm-years' INSERTs differ).
ALTER TABLE "analytics_firm_years" ADD COLUMN IF NOT EXISTS "export_revenue" numeric(18, 2) NOT NULL DEFAULT 0;
--> statement-breakpoint
UPDATE analytics_firm_years f SET export_revenue = d.export_revenue
  FROM declarations d
  WHERE d.enterprise_id = f.enterprise_id AND d.year = f.year AND d.export_revenue IS NOT NULL AND d.export_revenue <> 0;
--> statement-breakpoint
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
  , gone_totals AS (
    SELECT year, tier_code, district_code, program_code, sum(n)::int AS n, sum(op) AS op, sum(sw) AS sw, sum(rd) AS rd, sum(emp)::bigint AS emp
    FROM gone GROUP BY year, tier_code, district_code, program_code
  ), totals_updated AS (
    UPDATE analytics_totals c SET
      firms = c.firms - g.n,
      operating_revenue = c.operating_revenue - g.op,
      software_revenue = c.software_revenue - g.sw,
      rd_expense = c.rd_expense - g.rd,
      employees = c.employees - g.emp
    FROM gone_totals g
    WHERE c.year = g.year AND c.tier_code = g.tier_code AND c.district_code = g.district_code AND c.program_code = g.program_code
    RETURNING 1
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
      operating_revenue, software_revenue, rd_expense, employees, export_revenue)
    SELECT d.enterprise_id, d.year, d.tier_code, v_district, v_program, v_domains,
      d.operating_revenue, d.software_revenue, d.rd_expense, d.employees, coalesce(d.export_revenue, 0)
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

  INSERT INTO analytics_totals AS c (year, tier_code, district_code, program_code, firms,
      operating_revenue, software_revenue, rd_expense, employees)
    SELECT d.year, d.tier_code, v_district, v_program, 1,
      d.operating_revenue, d.software_revenue, d.rd_expense, d.employees
    FROM declarations d
    WHERE d.enterprise_id = p_enterprise AND (p_year IS NULL OR d.year = p_year)
    ORDER BY d.year, d.tier_code
  ON CONFLICT (year, tier_code, district_code, program_code) DO UPDATE SET
    firms = c.firms + excluded.firms,
    operating_revenue = c.operating_revenue + excluded.operating_revenue,
    software_revenue = c.software_revenue + excluded.software_revenue,
    rd_expense = c.rd_expense + excluded.rd_expense,
    employees = c.employees + excluded.employees;
END
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION analytics_rebuild() RETURNS void AS $$
BEGIN
  DELETE FROM analytics_firm_years;
  DELETE FROM analytics_cells;
  DELETE FROM analytics_totals;
  INSERT INTO analytics_firm_years (enterprise_id, year, tier_code, district_code, program_code, domains,
      operating_revenue, software_revenue, rd_expense, employees, export_revenue)
    SELECT d.enterprise_id, d.year, d.tier_code, e.district_code, coalesce(pm.program_code, ''), coalesce(ed.domains, '{}'),
      d.operating_revenue, d.software_revenue, d.rd_expense, d.employees, coalesce(d.export_revenue, 0)
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
  PERFORM analytics_sum_totals();
END
$$ LANGUAGE plpgsql;
