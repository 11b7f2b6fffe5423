-- Decision letters name the body that issues them today. The plan of 2018
-- names the Economic and Information Commission (市经信委); since the 2019
-- reorganisation its work is done by the Bureau of Industry and Information
-- Technology, which the public notices (notice_issuing_body) already name.
-- Only the value the commission-year migration seeded is replaced: a value an
-- administrator set is kept.
UPDATE policy_settings SET value = '"大连市工业和信息化局"'::jsonb
WHERE key = 'letter_issuing_body' AND value = '"大连市经济和信息化委员会"'::jsonb;
