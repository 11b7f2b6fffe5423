-- Confidentiality (server/domain/disclosure.ts): the p% dominance rule's p is
-- policy data beside the firm threshold suppression_min_firms.
INSERT INTO policy_settings (key, value, description) VALUES
  ('disclosure_dominance_percent', '10', 'Analytics: a group of firms whose sum minus its two largest contributors is under this percentage of the largest is withheld from aggregate-only readers')
ON CONFLICT (key) DO NOTHING;
