import { sql } from 'drizzle-orm'
import { queryRows, type Db } from '../../db/client.ts'

/**
 * Claims this tick of the chore `name` for `instance` when no instance has
 * run it within the last 90% of `intervalMs` (the margin absorbs timer
 * jitter): one conditional upsert, so of N instances ticking every interval
 * exactly one runs the chore per interval, and another takes over within one
 * interval when that one stops. No session lock, so it works through a
 * transaction pooler too.
 */
export async function claimChoreTick (db: Db, name: string, intervalMs: number, instance: string): Promise<boolean> {
  const margin = (intervalMs * 0.9) / 1000
  const rows = await queryRows<{ name: string }>(db, sql`
    insert into chore_runs (name, last_run_at, run_by) values (${name}, now(), ${instance})
    on conflict (name) do update set last_run_at = now(), run_by = excluded.run_by
    where chore_runs.last_run_at <= now() - make_interval(secs => ${margin})
    returning name`)
  return rows.length === 1
}
