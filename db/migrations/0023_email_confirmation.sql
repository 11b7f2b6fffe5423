-- Registration does not reveal which emails have accounts (docs/people.md,
-- "Confirmed addresses"): an address is unique only among confirmed accounts.
-- A self-registration, an invitation and a transfer create an unconfirmed
-- account; the emailed link (or a password reset, which proves the mailbox
-- too) confirms it. Every account that exists today is confirmed, and an
-- account written without the column (staff, seeds, bulk loads) is confirmed
-- on creation by the default.
ALTER TABLE users ADD COLUMN IF NOT EXISTS email_confirmed_at timestamp (3) with time zone;
--> statement-breakpoint
UPDATE users SET email_confirmed_at = created_at WHERE email_confirmed_at IS NULL;
--> statement-breakpoint
ALTER TABLE users ALTER COLUMN email_confirmed_at SET DEFAULT now();
--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS users_confirmed_email_key ON users (lower(email)) WHERE email_confirmed_at IS NOT NULL;
--> statement-breakpoint
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_email_unique;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS users_email_idx ON users (email, created_at);
--> statement-breakpoint
ALTER TABLE account_tokens DROP CONSTRAINT IF EXISTS account_tokens_purpose_check;
--> statement-breakpoint
ALTER TABLE account_tokens ADD CONSTRAINT account_tokens_purpose_check CHECK (purpose in ('password_reset','invitation','email_confirmation'));
