import { randomUUID } from 'node:crypto'
import { and, desc, eq, lt } from 'drizzle-orm'
import { type Db, inTransaction } from '../../db/client.ts'
import { declarations, enterprises } from '../../db/schema/index.ts'
import { declarationProblems, type DeclarationFigures, type StoredFigures } from '../domain/declarations.ts'
import { errors } from '../domain/errors.ts'
import { normalizeMoney, normalizeOptionalMoney } from '../domain/money.ts'
import { classifyTier, type TierCode } from '../domain/tiers.ts'
import { writeAudited, type AuditContext } from '../lib/audit.ts'
import { decodeCursor, page } from '../lib/pagination.ts'
import { domainsJson, parseDomains, parseTierRules, tierRulesJson } from './tier-rules.ts'

export { loadTierRules } from './tier-rules.ts'

export type DeclarationRow = typeof declarations.$inferSelect

/** The API view of a declaration: money as 2-decimal strings, `tier` the stored tier code. */
export interface DeclarationView extends StoredFigures {
  id: string
  enterpriseId: string
  year: number
  tier: TierCode
  version: number
  createdAt: string
  updatedAt: string
}

export function declarationView (r: DeclarationRow): DeclarationView {
  return {
    id: r.id,
    enterpriseId: r.enterpriseId,
    year: r.year,
    operatingRevenue: normalizeMoney(r.operatingRevenue),
    softwareRevenue: normalizeMoney(r.softwareRevenue),
    rdExpense: normalizeMoney(r.rdExpense),
    exportRevenue: normalizeMoney(r.exportRevenue),
    mainBusinessRevenue: normalizeOptionalMoney(r.mainBusinessRevenue),
    totalAssets: normalizeOptionalMoney(r.totalAssets),
    totalLiabilities: normalizeOptionalMoney(r.totalLiabilities),
    employees: r.employees,
    rdStaff: r.rdStaff,
    patents: r.patents,
    softwareCopyrights: r.softwareCopyrights,
    tier: r.tierCode as TierCode,
    version: r.version,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString()
  }
}

/**
 * One year's declaration of a firm, or null. Pass the transaction you are
 * in: applications freeze this view into their snapshot at submit.
 */
export async function getDeclaration (db: Db, enterpriseId: string, year: number): Promise<DeclarationView | null> {
  const [row] = await db.select().from(declarations).where(and(eq(declarations.enterpriseId, enterpriseId), eq(declarations.year, year)))
  return row == null ? null : declarationView(row)
}

/** The latest declaration of a firm (highest year), or null. */
export async function latestDeclaration (db: Db, enterpriseId: string): Promise<DeclarationView | null> {
  const [row] = await db.select().from(declarations).where(eq(declarations.enterpriseId, enterpriseId)).orderBy(desc(declarations.year)).limit(1)
  return row == null ? null : declarationView(row)
}

/**
 * A firm's current tier: the stored tier of its latest declaration, with
 * that year; null when it has never declared.
 */
export async function currentTierOf (db: Db, enterpriseId: string): Promise<{ tier: TierCode, year: number } | null> {
  const [row] = await db.select({ tier: declarations.tierCode, year: declarations.year }).from(declarations)
    .where(eq(declarations.enterpriseId, enterpriseId)).orderBy(desc(declarations.year)).limit(1)
  return row == null ? null : { tier: row.tier as TierCode, year: row.year }
}

/** History by year, newest first, paged by year. */
export async function listDeclarations (db: Db, enterpriseId: string, opts: { limit: number, cursor?: string }) {
  const after = decodeCursor<{ year: number }>(opts.cursor, ['year'])
  const rows = await db.select().from(declarations)
    .where(and(eq(declarations.enterpriseId, enterpriseId), after == null ? undefined : lt(declarations.year, Number(after.year))))
    .orderBy(desc(declarations.year)).limit(opts.limit + 1)
  const p = page(rows, opts.limit, r => ({ year: r.year }))
  return { items: p.items.map(declarationView), nextCursor: p.nextCursor }
}

export interface PutDeclarationResult { created: boolean, declaration: DeclarationView }

/**
 * Creates or replaces a firm's declaration for `year` and classifies it with
 * the rules in force for that year and the firm's domains. Checks first
 * (clear 400s naming the fields), then writes and audits in one transaction.
 * The firm's row is locked (no key update: rows referencing the firm can still
 * be inserted meanwhile) so two writes of the same firm serialise.
 */
export async function putDeclaration (
  db: Db, ctx: AuditContext,
  input: { enterpriseId: string, year: number, figures: DeclarationFigures, ifMatch?: number, today?: Date }
): Promise<PutDeclarationResult> {
  const { enterpriseId, year, figures } = input
  const today = input.today ?? new Date()
  return await inTransaction(db, async (tx) => {
    // Four statements inside the transaction: the lock, one read of what the write needs, the write with its audit entry, COMMIT.
    const [firm] = await tx.select({ id: enterprises.id, foundedOn: enterprises.foundedOn }).from(enterprises).where(eq(enterprises.id, enterpriseId)).for('no key update')
    if (firm == null) throw errors.notFound()
    const problems = declarationProblems(figures, { year, currentYear: today.getUTCFullYear(), foundedYear: Number(firm.foundedOn.slice(0, 4)) })
    if (problems.length > 0) throw errors.validation(problems)

    // Read after the lock (its own snapshot, so it sees the last write of this firm): the year's row, the firm's domains, the tier rules.
    const [read] = await tx.select({ existing: declarations, domains: domainsJson(enterprises.id), rules: tierRulesJson })
      .from(enterprises).leftJoin(declarations, and(eq(declarations.enterpriseId, enterprises.id), eq(declarations.year, year)))
      .where(eq(enterprises.id, enterpriseId))
    const existing = read?.existing ?? null
    // RFC 9110: If-Match on something that does not exist yet can never match.
    if (input.ifMatch != null && (existing == null || existing.version !== input.ifMatch)) throw errors.versionMismatch(input.ifMatch)

    const tier = classifyTier(figures.operatingRevenue, year, parseDomains(read!.domains), parseTierRules(read!.rules))
    const values = {
      operatingRevenue: normalizeMoney(figures.operatingRevenue),
      softwareRevenue: normalizeMoney(figures.softwareRevenue),
      rdExpense: normalizeMoney(figures.rdExpense),
      exportRevenue: normalizeMoney(figures.exportRevenue),
      mainBusinessRevenue: normalizeOptionalMoney(figures.mainBusinessRevenue),
      totalAssets: normalizeOptionalMoney(figures.totalAssets),
      totalLiabilities: normalizeOptionalMoney(figures.totalLiabilities),
      employees: figures.employees,
      rdStaff: figures.rdStaff,
      patents: figures.patents,
      softwareCopyrights: figures.softwareCopyrights,
      tierCode: tier
    }
    // The row as it will be stored is known before the write (id, version and times are set here), so the write and its
    // audit entry go in one statement (writeAudited).
    const now = new Date()

    if (existing == null) {
      const row: DeclarationRow = { id: randomUUID(), enterpriseId, year, ...values, version: 1, createdAt: now, updatedAt: now }
      const view = declarationView(row)
      await writeAudited(tx, ctx, tx.insert(declarations).values(row).returning({ id: declarations.id }),
        { action: 'declaration.create', objectType: 'declaration', objectId: row.id, after: view })
      return { created: true, declaration: view }
    }

    const before = declarationView(existing)
    // The same figures again (a retried PUT) change nothing: no new version, no audit row.
    if (sameFigures(before, { ...values, tier })) return { created: false, declaration: before }
    const change = { ...values, version: existing.version + 1, updatedAt: now }
    const after = declarationView({ ...existing, ...change })
    await writeAudited(tx, ctx, tx.update(declarations).set(change).where(eq(declarations.id, existing.id)).returning({ id: declarations.id }),
      { action: 'declaration.update', objectType: 'declaration', objectId: existing.id, before, after })
    return { created: false, declaration: after }
  })
}

function sameFigures (current: DeclarationView, next: Record<string, unknown>): boolean {
  return Object.entries(next).every(([k, v]) => k === 'tierCode' || (current as unknown as Record<string, unknown>)[k] === v)
}
