import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm'
import { inTransaction, queryRows, type Db, type Tx } from '../../db/client.ts'
import { enterprises, fundAwards, fundPayments, funds, poolMemberships, programs } from '../../db/schema/index.ts'
import { awardVisibility, enterpriseVisibility, type Viewer } from '../domain/access.ts'
import {
  applyPayment, assertWithinBudget, awardTransition, isAwardState, localDay, SUPPORTED_MEMBERSHIP_STATUSES, type AwardState
} from '../domain/award-state.ts'
import { errors } from '../domain/errors.ts'
import { fromFen, normalizeMoney, toFen } from '../domain/money.ts'
import { recordAudit, type AuditContext } from '../lib/audit.ts'
import { decodeCursor, page } from '../lib/pagination.ts'
import { isUniqueViolation } from './accounts.ts'
import { cursorInstant } from './calls.ts'

/**
 * Support funds (专项资金): a program's yearly budget, the awards made from it
 * to the program's active pool members, and the payments of each award.
 * Every write is one transaction with its audit entry; the budget and the
 * award ceilings are checked in the transaction that writes, under a row lock
 * (the fund's, the award's), so concurrent awards can never overspend.
 */

type FundRow = typeof funds.$inferSelect
type AwardRow = typeof fundAwards.$inferSelect
type PaymentRow = typeof fundPayments.$inferSelect

export function fundView (f: FundRow, sums: { awarded: string, paid: string, awards: number }) {
  const budget = normalizeMoney(f.budget)
  return {
    id: f.id,
    year: f.year,
    program: f.programCode,
    name: f.name,
    budget,
    awarded: normalizeMoney(sums.awarded),
    paid: normalizeMoney(sums.paid),
    available: fromFen(toFen(budget) - toFen(sums.awarded)),
    awards: sums.awards,
    createdAt: f.createdAt.toISOString()
  }
}

export function paymentView (p: PaymentRow) {
  return { id: p.id, awardId: p.awardId, amount: normalizeMoney(p.amount), paidOn: p.paidOn, createdAt: p.createdAt.toISOString() }
}

interface AwardContext { fundName: string, year: number, program: string, firmName: string, uscc: string }

export function awardView (a: AwardRow, c: AwardContext, payments: PaymentRow[]) {
  const amount = normalizeMoney(a.amount)
  const paid = normalizeMoney(a.paid)
  return {
    id: a.id,
    fundId: a.fundId,
    fundName: c.fundName,
    year: c.year,
    program: c.program,
    enterpriseId: a.enterpriseId,
    firmName: c.firmName,
    uscc: c.uscc,
    membershipId: a.membershipId,
    amount,
    paid,
    unpaid: fromFen(toFen(amount) - toFen(paid)),
    purpose: a.purpose,
    state: a.state as AwardState,
    cancelReason: a.cancelReason ?? null,
    createdAt: a.createdAt.toISOString(),
    payments: payments.map(paymentView)
  }
}
export type AwardView = ReturnType<typeof awardView>

/** Awarded (not cancelled) and paid sums and award counts per fund, in one query. */
async function fundSums (db: Db, ids: string[]): Promise<Map<string, { awarded: string, paid: string, awards: number }>> {
  const out = new Map<string, { awarded: string, paid: string, awards: number }>()
  if (ids.length === 0) return out
  const rows = await db.select({
    fundId: fundAwards.fundId,
    awarded: sql<string>`coalesce(sum(${fundAwards.amount}) filter (where ${fundAwards.state} <> 'cancelled'), 0)::text`,
    paid: sql<string>`coalesce(sum(${fundAwards.paid}), 0)::text`,
    awards: sql<number>`(count(*) filter (where ${fundAwards.state} <> 'cancelled'))::int`
  }).from(fundAwards).where(inArray(fundAwards.fundId, ids)).groupBy(fundAwards.fundId)
  for (const r of rows) out.set(r.fundId, { awarded: r.awarded, paid: r.paid, awards: r.awards })
  return out
}
const NO_SUMS = { awarded: '0', paid: '0', awards: 0 }

export interface FundInput { year: number, program: string, name: string, budget: string }

export async function createFund (db: Db, input: FundInput, ctx: AuditContext) {
  const [program] = await db.select({ code: programs.code }).from(programs).where(eq(programs.code, input.program))
  if (program == null) throw errors.unknownReference('program', input.program)
  if (toFen(input.budget) <= 0n) throw errors.validation([{ field: 'body.budget', message: 'must be more than 0' }])
  if (input.name.trim() === '') throw errors.validation([{ field: 'body.name', message: 'must not be blank' }])
  try {
    return await inTransaction(db, async (tx) => {
      const [f] = await tx.insert(funds).values({
        year: input.year, programCode: input.program, name: input.name.trim(), budget: input.budget, createdBy: ctx.actorId
      }).returning()
      const view = fundView(f, NO_SUMS)
      await recordAudit(tx, ctx, { action: 'fund.create', objectType: 'fund', objectId: f.id, after: view })
      return view
    })
  } catch (err) {
    if (isUniqueViolation(err, 'funds_year_program_name_key')) throw errors.conflict('the program already has a fund of this name for the year')
    throw err
  }
}

export interface FundQuery { limit: number, cursor?: string, year?: number, program?: string }

/** Newest year first, then by program and name. */
export async function listFunds (db: Db, q: FundQuery) {
  const where: SQL[] = []
  if (q.year != null) where.push(eq(funds.year, q.year))
  if (q.program != null) where.push(eq(funds.programCode, q.program))
  const after = decodeCursor<{ y: number, p: string, n: string, id: string }>(q.cursor, ['y', 'p', 'n', 'id'])
  if (after != null) {
    where.push(sql`(${funds.year} < ${after.y} or (${funds.year} = ${after.y} and (${funds.programCode}, ${funds.name}, ${funds.id}) > (${after.p}, ${after.n}, ${after.id}::uuid)))`)
  }
  const rows = await db.select().from(funds).where(and(...where))
    .orderBy(desc(funds.year), asc(funds.programCode), asc(funds.name), asc(funds.id)).limit(q.limit + 1)
  const p = page(rows, q.limit, r => ({ y: r.year, p: r.programCode, n: r.name, id: r.id }))
  const sums = await fundSums(db, p.items.map(f => f.id))
  return { items: p.items.map(f => fundView(f, sums.get(f.id) ?? NO_SUMS)), nextCursor: p.nextCursor }
}

export async function getFund (db: Db, id: string) {
  const [f] = await db.select().from(funds).where(eq(funds.id, id))
  if (f == null) throw errors.notFound()
  const sums = await fundSums(db, [id])
  return fundView(f, sums.get(id) ?? NO_SUMS)
}

/** The awards matching `where`, with their fund, firm and payments; keyset by (createdAt, id), newest first. */
async function awardsWhere (db: Db, where: SQL[], limit: number | null, cursor?: string) {
  const after = decodeCursor<{ c: string, id: string }>(cursor, ['c', 'id'])
  if (after != null) where.push(sql`(${fundAwards.createdAt}, ${fundAwards.id}) < (${cursorInstant(after.c)}::timestamptz, ${after.id}::uuid)`)
  const query = db.select({
    award: fundAwards, fundName: funds.name, year: funds.year, program: funds.programCode, firmName: enterprises.name, uscc: enterprises.uscc
  }).from(fundAwards)
    .innerJoin(funds, eq(funds.id, fundAwards.fundId))
    .innerJoin(enterprises, eq(enterprises.id, fundAwards.enterpriseId))
    .where(and(...where))
    .orderBy(desc(fundAwards.createdAt), desc(fundAwards.id))
  const rows = limit == null ? await query : await query.limit(limit + 1)
  const p = limit == null ? { items: rows, nextCursor: null } : page(rows, limit, r => ({ c: r.award.createdAt.toISOString(), id: r.award.id }))
  const ids = p.items.map(r => r.award.id)
  const payments = ids.length === 0
    ? []
    : await db.select().from(fundPayments).where(inArray(fundPayments.awardId, ids)).orderBy(asc(fundPayments.paidOn), asc(fundPayments.createdAt))
  const byAward = new Map<string, PaymentRow[]>()
  for (const pay of payments) byAward.set(pay.awardId, [...(byAward.get(pay.awardId) ?? []), pay])
  return { items: p.items.map(r => awardView(r.award, r, byAward.get(r.award.id) ?? [])), nextCursor: p.nextCursor }
}

/** A fund's awards (limit null: all of them, for the exports). */
export async function listFundAwards (db: Db, fundId: string, limit: number | null, cursor?: string) {
  const [f] = await db.select({ id: funds.id }).from(funds).where(eq(funds.id, fundId))
  if (f == null) throw errors.notFound()
  return await awardsWhere(db, [eq(fundAwards.fundId, fundId)], limit, cursor)
}

/**
 * A firm's awards and their payments, every fund: 404 unless `viewer` may see
 * the firm (a firm sees itself only), and only the awards `viewer` may see.
 */
export async function listEnterpriseAwards (db: Db, viewer: Viewer, enterpriseId: string, limit: number | null, cursor?: string) {
  const [firm] = await db.select({ id: enterprises.id }).from(enterprises).where(and(eq(enterprises.id, enterpriseId), enterpriseVisibility(viewer)))
  if (firm == null) throw errors.notFound()
  const where: SQL[] = [eq(fundAwards.enterpriseId, enterpriseId)]
  const visible = awardVisibility(viewer)
  if (visible != null) where.push(visible)
  return await awardsWhere(db, where, limit, cursor)
}

/** One award with its payments; 404 when missing or hidden from `viewer` (omitted: a service reading for staff). */
export async function getAward (db: Db, id: string, viewer?: Viewer): Promise<AwardView> {
  const where: SQL[] = [eq(fundAwards.id, id)]
  const visible = viewer == null ? undefined : awardVisibility(viewer)
  if (visible != null) where.push(visible)
  const { items } = await awardsWhere(db, where, 1)
  if (items.length === 0) throw errors.notFound()
  return items[0]
}

export interface AwardInput { enterpriseId: string, amount: string, purpose: string }

/**
 * Awards support from a fund to an active member of its program. The fund's
 * row is locked first, so awards to one fund are made one after another, and
 * the sum they are checked against is read after the lock, in the writing
 * transaction: the last two of a budget sent at once cannot both pass.
 */
export async function awardSupport (db: Db, fundId: string, input: AwardInput, ctx: AuditContext): Promise<AwardView> {
  if (toFen(input.amount) <= 0n) throw errors.validation([{ field: 'body.amount', message: 'must be more than 0' }])
  if (input.purpose.trim() === '') throw errors.validation([{ field: 'body.purpose', message: 'must not be blank' }])
  const id = await inTransaction(db, async (tx) => {
    const [f] = await tx.select().from(funds).where(eq(funds.id, fundId)).for('update')
    if (f == null) throw errors.notFound()
    const [member] = await tx.select({ id: poolMemberships.id }).from(poolMemberships)
      .where(and(eq(poolMemberships.enterpriseId, input.enterpriseId), eq(poolMemberships.programCode, f.programCode),
        inArray(poolMemberships.status, [...SUPPORTED_MEMBERSHIP_STATUSES])))
      .orderBy(desc(poolMemberships.admittedOn)).limit(1)
    if (member == null) throw errors.notAMember(f.programCode)
    const [{ committed }] = await queryRows<{ committed: string }>(tx, sql`
      select coalesce(sum(amount), 0)::text as committed from fund_awards where fund_id = ${fundId} and state <> 'cancelled'`)
    assertWithinBudget(normalizeMoney(f.budget), normalizeMoney(committed), input.amount)
    const [a] = await tx.insert(fundAwards).values({
      fundId, enterpriseId: input.enterpriseId, membershipId: member.id, amount: input.amount, purpose: input.purpose.trim(), awardedBy: ctx.actorId
    }).returning()
    await recordAudit(tx, ctx, {
      action: 'award.create', objectType: 'award', objectId: a.id,
      after: { fundId, enterpriseId: a.enterpriseId, membershipId: a.membershipId, amount: normalizeMoney(a.amount), purpose: a.purpose, state: a.state }
    })
    return a.id
  })
  return await getAward(db, id)
}

async function lockAward (tx: Tx, id: string): Promise<AwardRow & { state: AwardState }> {
  const [a] = await tx.select().from(fundAwards).where(eq(fundAwards.id, id)).for('update')
  if (a == null) throw errors.notFound()
  if (!isAwardState(a.state)) throw new Error(`award ${id} has an unknown state ${a.state}`)
  return a as AwardRow & { state: AwardState }
}

export interface PaymentInput { amount: string, paidOn: string }

/** Records a disbursement under the award's row lock: never more than is unpaid. */
export async function recordPayment (db: Db, awardId: string, input: PaymentInput, ctx: AuditContext, today = new Date()) {
  if (toFen(input.amount) <= 0n) throw errors.validation([{ field: 'body.amount', message: 'must be more than 0' }])
  if (input.paidOn > localDay(today)) throw errors.validation([{ field: 'body.paidOn', message: 'must not be in the future' }])
  await inTransaction(db, async (tx) => {
    const a = await lockAward(tx, awardId)
    const next = applyPayment(a.state, normalizeMoney(a.amount), normalizeMoney(a.paid), input.amount)
    if (input.paidOn < localDay(a.createdAt)) {
      throw errors.validation([{ field: 'body.paidOn', message: 'must not be before the award was made' }])
    }
    const [p] = await tx.insert(fundPayments).values({ awardId, amount: input.amount, paidOn: input.paidOn, recordedBy: ctx.actorId }).returning()
    await tx.update(fundAwards).set({ paid: next.paid, state: next.state, updatedAt: new Date() }).where(eq(fundAwards.id, awardId))
    await recordAudit(tx, ctx, {
      action: 'award.pay', objectType: 'award', objectId: awardId,
      before: { state: a.state, paid: normalizeMoney(a.paid) },
      after: { state: next.state, paid: next.paid, payment: paymentView(p) }
    })
  })
  return await getAward(db, awardId)
}

/** Cancels an award before any payment; its amount goes back to the fund. */
export async function cancelAward (db: Db, awardId: string, reason: string, ctx: AuditContext) {
  if (reason.trim() === '') throw errors.validation([{ field: 'body.reason', message: 'must not be blank' }])
  await inTransaction(db, async (tx) => {
    const a = await lockAward(tx, awardId)
    const state = awardTransition(a.state, 'cancel')
    await tx.update(fundAwards).set({ state, cancelReason: reason.trim(), updatedAt: new Date() }).where(eq(fundAwards.id, awardId))
    await recordAudit(tx, ctx, { action: 'award.cancel', objectType: 'award', objectId: awardId, before: { state: a.state }, after: { state, reason: reason.trim() } })
  })
  return await getAward(db, awardId)
}
