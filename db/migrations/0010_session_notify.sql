-- Session-cache invalidation (server/lib/session-cache.ts): every change that
-- can end a token NOTIFies the channel peiyu_sessions on commit, so each
-- service process forgets what it cached about that user or token.
-- Payloads: 'u:<user id>', 't:<jti>', '*' (forget everything).
CREATE OR REPLACE FUNCTION session_changed() RETURNS trigger AS $$
BEGIN
  IF TG_LEVEL = 'STATEMENT' THEN
    PERFORM pg_notify('peiyu_sessions', '*');
  ELSIF TG_TABLE_NAME = 'revoked_tokens' THEN
    PERFORM pg_notify('peiyu_sessions', 't:' || NEW.jti);
  ELSE
    PERFORM pg_notify('peiyu_sessions', 'u:' || OLD.id::text);
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER users_session_update AFTER UPDATE ON users FOR EACH ROW
  WHEN (OLD.role IS DISTINCT FROM NEW.role OR OLD.disabled IS DISTINCT FROM NEW.disabled
     OR OLD.token_version IS DISTINCT FROM NEW.token_version OR OLD.enterprise_id IS DISTINCT FROM NEW.enterprise_id)
  EXECUTE FUNCTION session_changed();
--> statement-breakpoint
CREATE TRIGGER users_session_delete AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION session_changed();
--> statement-breakpoint
CREATE TRIGGER users_session_truncate AFTER TRUNCATE ON users FOR EACH STATEMENT EXECUTE FUNCTION session_changed();
--> statement-breakpoint
CREATE TRIGGER revoked_tokens_session_insert AFTER INSERT ON revoked_tokens FOR EACH ROW EXECUTE FUNCTION session_changed();
