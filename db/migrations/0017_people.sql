-- People are reached and can help themselves (docs/people.md): the email
-- outbox, one-time account tokens (password reset, invitation), roles within
-- a firm, objection receipts, notice and registration policy.
CREATE TABLE IF NOT EXISTS outbox_messages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  message_id text NOT NULL,
  kind text NOT NULL,
  to_address text NOT NULL,
  subject text NOT NULL,
  body_text text NOT NULL,
  user_id uuid REFERENCES users(id),
  notification_id uuid REFERENCES notifications(id),
  state text NOT NULL DEFAULT 'queued',
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamp (3) with time zone NOT NULL DEFAULT now(),
  claimed_at timestamp (3) with time zone,
  claimed_by text,
  last_error text,
  sent_at timestamp (3) with time zone,
  created_at timestamp (3) with time zone NOT NULL DEFAULT now(),
  CONSTRAINT outbox_messages_message_id_key UNIQUE (message_id),
  CONSTRAINT outbox_messages_state_check CHECK (state in ('queued','sending','sent','failed','skipped'))
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS outbox_messages_due_idx ON outbox_messages (state, next_attempt_at);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS outbox_messages_created_idx ON outbox_messages (created_at, id);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS account_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users(id),
  purpose text NOT NULL,
  token_hash text NOT NULL,
  expires_at timestamp (3) with time zone NOT NULL,
  used_at timestamp (3) with time zone,
  created_at timestamp (3) with time zone NOT NULL DEFAULT now(),
  CONSTRAINT account_tokens_hash_key UNIQUE (token_hash),
  CONSTRAINT account_tokens_purpose_check CHECK (purpose in ('password_reset','invitation'))
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS account_tokens_user_idx ON account_tokens (user_id, purpose);
--> statement-breakpoint
ALTER TABLE users ADD COLUMN IF NOT EXISTS firm_role text;
--> statement-breakpoint
UPDATE users SET firm_role = 'owner' WHERE role = 'enterprise' AND firm_role IS NULL;
--> statement-breakpoint
-- An enterprise account written without a firm role (older code paths, bulk loads) is its firm's owner.
CREATE OR REPLACE FUNCTION users_default_firm_role() RETURNS trigger AS $$
BEGIN
  IF NEW.role = 'enterprise' AND NEW.firm_role IS NULL THEN NEW.firm_role := 'owner'; END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER users_default_firm_role BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION users_default_firm_role();
--> statement-breakpoint
ALTER TABLE users ADD CONSTRAINT users_firm_role_check CHECK ((firm_role IS NULL AND role <> 'enterprise') OR (role = 'enterprise' AND firm_role in ('owner','member')));
--> statement-breakpoint
ALTER TABLE notice_objections ADD COLUMN IF NOT EXISTS reference text;
--> statement-breakpoint
ALTER TABLE notice_objections ADD COLUMN IF NOT EXISTS email text;
--> statement-breakpoint
UPDATE notice_objections SET reference = 'YY-' || upper(substr(replace(id::text, '-', ''), 1, 10)) WHERE reference IS NULL;
--> statement-breakpoint
ALTER TABLE notice_objections ALTER COLUMN reference SET NOT NULL;
--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS notice_objections_reference_key ON notice_objections (reference);
--> statement-breakpoint
ALTER TABLE notifications DROP CONSTRAINT IF EXISTS notifications_kind_check;
--> statement-breakpoint
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind in ('review_assigned','call_closing','application_returned','decision_made','appeal_received','objection_received','review_due_soon','review_overdue','review_recused','review_reassigned','objection_resolved','membership_changed'));
--> statement-breakpoint
INSERT INTO policy_settings (key, value, description) VALUES
  ('notice_issuing_body', '{"zh":"大连市工业和信息化局","en":"Dalian Municipal Bureau of Industry and Information Technology"}', 'The body that issues public notices (公示), shown on the public notice page'),
  ('notice_contact', '{"zh":"软件和信息服务业处","en":"Software and Information Services Division","phone":"0411-83630000","email":"peiyu@example.gov.cn"}', 'Where the public sends objections and questions about a notice'),
  ('uscc_division_check', '{"mode":"warn","accept":{"jinpu_new_area":["210213","2102"],"hi_tech_zone":["2102"],"changxing_island":["2102"]}}', 'Registration compares characters 3-8 of the credit code with the chosen district: mode off, warn or refuse; accept lists division prefixes a district also takes')
ON CONFLICT (key) DO NOTHING;
