-- Reference data of the 2028 action plan (docs/domain.md), so a fresh
-- database is usable at once. Administrators edit these rows afterwards.
INSERT INTO tiers (code, name_zh, name_en, rank) VALUES
  ('below_scale', '规模以下', 'Below designated size', 0),
  ('above_scale', '规模以上', 'Above designated size', 1),
  ('hundred_million', '亿级', 'Hundred-million tier', 2),
  ('billion', '十亿级', 'Billion tier', 3),
  ('ten_billion', '百亿级', 'Ten-billion tier', 4);
--> statement-breakpoint
INSERT INTO programs (code, name_zh, name_en, description_en) VALUES
  ('startup', '初创型企业培育计划', 'Startup cultivation', 'Young firms; incubators, accelerators and angel funds back them'),
  ('innovative_growth', '创新型企业成长计划', 'Innovative-enterprise growth', 'Innovative, fast-growing firms leading a niche'),
  ('leading_platform', '领军企业上平台计划', 'Leading enterprise onto platform', 'Leading backbone firms becoming platform companies');
--> statement-breakpoint
INSERT INTO domains (code, name_zh, name_en) VALUES
  ('ai', '人工智能', 'Artificial intelligence'),
  ('industrial_software', '工业软件', 'Industrial software'),
  ('iot', '物联网', 'Internet of things'),
  ('big_data', '大数据', 'Big data'),
  ('cloud', '云计算', 'Cloud computing'),
  ('internet', '互联网', 'Internet'),
  ('info_security', '信息安全', 'Information security'),
  ('industry_apps', '行业应用软件', 'Industry application software');
--> statement-breakpoint
INSERT INTO districts (code, name_zh, name_en, kind) VALUES
  ('210202', '中山区', 'Zhongshan District', 'district'),
  ('210203', '西岗区', 'Xigang District', 'district'),
  ('210204', '沙河口区', 'Shahekou District', 'district'),
  ('210211', '甘井子区', 'Ganjingzi District', 'district'),
  ('210212', '旅顺口区', 'Lushunkou District', 'district'),
  ('210213', '金州区', 'Jinzhou District', 'district'),
  ('210214', '普兰店区', 'Pulandian District', 'district'),
  ('210224', '长海县', 'Changhai County', 'county'),
  ('210281', '瓦房店市', 'Wafangdian City', 'city'),
  ('210283', '庄河市', 'Zhuanghe City', 'city'),
  ('hi_tech_zone', '高新技术产业园区', 'Hi-tech Industrial Zone', 'pilot_zone'),
  ('jinpu_new_area', '金普新区', 'Jinpu New Area', 'pilot_zone'),
  ('changxing_island', '长兴岛经济区', 'Changxing Island Economic Zone', 'pilot_zone');
--> statement-breakpoint
-- Tier thresholds (CNY of annual operating revenue). above_scale was 500万 for
-- every firm until 2021; from 2022 the national statistics use 2000万, or 500万
-- for industrial software, information security and big data.
INSERT INTO tier_rules (tier_code, min_revenue, from_year, to_year, domain_code, note) VALUES
  ('ten_billion', 10000000000.00, 2000, NULL, NULL, '百亿级'),
  ('billion', 1000000000.00, 2000, NULL, NULL, '十亿级'),
  ('hundred_million', 100000000.00, 2000, NULL, NULL, '亿级'),
  ('above_scale', 5000000.00, 2000, 2021, NULL, '规模以上 (2018 rule: 500万 for all)'),
  ('above_scale', 20000000.00, 2022, NULL, NULL, '规模以上 (national statistics from 2022: 2000万)'),
  ('above_scale', 5000000.00, 2022, NULL, 'industrial_software', '规模以上, sub-sector threshold 500万'),
  ('above_scale', 5000000.00, 2022, NULL, 'info_security', '规模以上, sub-sector threshold 500万'),
  ('above_scale', 5000000.00, 2022, NULL, 'big_data', '规模以上, sub-sector threshold 500万');
--> statement-breakpoint
-- The plan's targets. `measure` names what analytics computes; goals for ratios are fractions.
INSERT INTO plan_targets (key, measure, tier_code, comparator, goal, unit, due_year, label_zh, label_en) VALUES
  ('ten_billion_firms_2023', 'firms_at_least_tier', 'ten_billion', 'gte', 1, 'firms', 2023, '百亿级企业数量', 'Ten-billion-tier firms'),
  ('billion_firms_2023', 'firms_at_least_tier', 'billion', 'gte', 25, 'firms', 2023, '十亿级企业数量', 'Billion-tier firms'),
  ('hundred_million_share_2023', 'revenue_share_at_least_tier', 'hundred_million', 'gt', 0.5, 'ratio', 2023, '亿级以上企业营业收入占全行业比重', 'Share of industry revenue from firms of the hundred-million tier and up'),
  ('above_scale_firms_2023', 'firms_at_least_tier', 'above_scale', 'gt', 1000, 'firms', 2023, '规模以上企业数量', 'Above-scale firms'),
  ('rd_intensity_2023', 'rd_to_software_revenue', NULL, 'gt', 0.08, 'ratio', 2023, '研发投入占软件业务收入比重', 'R&D spending / software business revenue'),
  ('value_added_gdp_2023', 'value_added_gdp_share', NULL, 'gt', 0.08, 'ratio', 2023, '产业增加值占全市GDP比重', 'Added value / city GDP'),
  ('value_added_gdp_2028', 'value_added_gdp_share', NULL, 'gt', 0.10, 'ratio', 2028, '产业增加值占全市GDP比重', 'Added value / city GDP'),
  ('industry_revenue_2028', 'industry_revenue', NULL, 'gte', 300000000000, 'CNY', 2028, '产业规模(营业收入)', 'Industry revenue'),
  ('employees_2028', 'employees', NULL, 'gt', 500000, 'persons', 2028, '从业人员', 'Employees');
--> statement-breakpoint
-- Policy values that are not constants in code. Gate definitions are read by
-- the eligibility rules (server/domain/eligibility.ts).
INSERT INTO policy_settings (key, value, description) VALUES
  ('appeal_window_days', '15', 'Days after a rejection within which the firm may appeal once'),
  ('notice_period_days', '7', 'Days an admission stays under public notice (公示) before the membership becomes active'),
  ('review_disagreement_points', '15', 'Flag an application when reviewers'' totals spread more than this many points'),
  ('suppression_min_firms', '3', 'Analytics cells covering fewer firms than this have their figures suppressed'),
  ('pool_exit_missing_years', '2', 'A pool member with this many consecutive years without a declaration exits'),
  ('eligibility_gates', '{"startup":[{"gate":"founded_within_years","years":5},{"gate":"tier_below","tier":"billion"}],"innovative_growth":[{"gate":"tier_at_least","tier":"above_scale"},{"gate":"rd_intensity_at_least","ratio":"0.03"}],"leading_platform":[{"gate":"tier_at_least","tier":"billion"}]}', 'Eligibility gates checked at submit, per program');
--> statement-breakpoint
-- The audit trail is append-only: the database itself refuses to change it.
-- SUPERSEDED: 0013_many_instances.sql re-creates audit_log_append_only() (it lets
-- the sequencer set an entry's place once); the current body is there.
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
