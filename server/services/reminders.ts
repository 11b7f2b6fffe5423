import { sql } from 'drizzle-orm'
import { inTransaction, queryRows, type Db } from '../../db/client.ts'
import { notify } from './notifications.ts'
import { integerPolicy, policyValue } from './policy.ts'

/**
 * Review deadlines (issue 13): a reviewer with an open review (assigned or
 * draft, of the current round of an application under review) in a call
 * with a `reviewDueAt` is told `review_due_soon` once the due date is within
 * policy `review_reminder_days` (3), and `review_overdue` once it has passed:
 * each at most once per review and due date (the notification's dedupe key
 * names both, so moving the due date reminds again). Run by the chores timer
 * once per tick across instances; tests call it with their own clock.
 */
export async function remindReviewers (db: Db, now: Date): Promise<{ dueSoon: number, overdue: number }> {
  const days = integerPolicy(await policyValue(db, 'review_reminder_days'), 3, 0, 365)
  const horizon = new Date(now.getTime() + days * 24 * 3600 * 1000)
  // The reminders still to send: the key is computed here so reviews already told are skipped in SQL.
  const rows = await queryRows<{ review_id: string, reviewer_id: string, application_id: string, call_id: string, call_title: string, firm_name: string, due_at: Date | string, overdue: boolean, dedupe_key: string }>(db, sql`
    with due as (
      select r.id as review_id, r.reviewer_id, a.id as application_id, c.id as call_id, c.title as call_title, e.name as firm_name,
        c.review_due_at as due_at, c.review_due_at <= ${now.toISOString()}::timestamptz as overdue
      from reviews r
      join applications a on a.id = r.application_id
      join calls c on c.id = a.call_id
      join enterprises e on e.id = a.enterprise_id
      join users u on u.id = r.reviewer_id and not u.disabled
      where r.state in ('assigned', 'draft') and a.state = 'under_review'
        and c.review_due_at is not null and c.review_due_at <= ${horizon.toISOString()}::timestamptz
        and r.round = (select max(r2.round) from reviews r2 where r2.application_id = r.application_id)
    ), keyed as (
      select due.*, (case when overdue then 'review_overdue:' else 'review_due_soon:' end) || review_id::text || ':' ||
        ((extract(epoch from due_at) * 1000)::bigint)::text as dedupe_key
      from due
    )
    select * from keyed k
    where not exists (select 1 from notifications n where n.user_id = k.reviewer_id and n.dedupe_key = k.dedupe_key)
    order by k.due_at, k.review_id`)
  const out = { dueSoon: 0, overdue: 0 }
  for (const r of rows) {
    const dueAt = new Date(r.due_at).toISOString()
    const written = await inTransaction(db, async (tx) => await notify(tx, [r.reviewer_id], r.overdue ? 'review_overdue' : 'review_due_soon',
      { reviewId: r.review_id, applicationId: r.application_id, callId: r.call_id, callTitle: r.call_title, firmName: r.firm_name, dueAt },
      { dedupeKey: r.dedupe_key }))
    if (r.overdue) out.overdue += written
    else out.dueSoon += written
  }
  return out
}
