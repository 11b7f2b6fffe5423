import { createHash } from 'node:crypto'
import { asc, eq, inArray, sql, type SQLWrapper } from 'drizzle-orm'
import { type Db, inTransaction } from '../../db/client.ts'
import { declarations, domains, enterpriseDomains, tierRules } from '../../db/schema/index.ts'
import { errors } from '../domain/errors.ts'
import { normalizeMoney } from '../domain/money.ts'
import { classifyTier, tierRuleProblems, type TierRule } from '../domain/tiers.ts'
import { canonicalJson, recordAudit, type AuditContext } from '../lib/audit.ts'

/** A tier rule as the API shows it (TierRule plus the admin's note). */
export interface TierRuleView extends TierRule { note: string | null }

/**
 * The whole rule set, in a stable order (tier, domain, period). Every tier
 * decision in the service reads the rules through this function, so
 * applications, analytics and pool re-evaluation classify exactly as
 * declarations do.
 */
export async function loadTierRules (db: Db): Promise<TierRuleView[]> {
  const rows = await db.select().from(tierRules).orderBy(asc(tierRules.tierCode), asc(tierRules.domainCode), asc(tierRules.fromYear), asc(tierRules.id))
  return rows.map(tierRuleView)
}

interface TierRuleRow { tierCode: string, minRevenue: string, fromYear: number, toYear: number | null, domainCode: string | null, note: string | null }

function tierRuleView (r: TierRuleRow): TierRuleView {
  return {
    tierCode: r.tierCode,
    minRevenue: normalizeMoney(r.minRevenue),
    fromYear: r.fromYear,
    toYear: r.toYear ?? null,
    domainCode: r.domainCode ?? null,
    note: r.note ?? null
  }
}

/**
 * The rule set ({@link loadTierRules}, the same rows in the same order) as
 * one scalar subquery of JSON text, for a statement that reads it beside
 * other things in one round trip; {@link parseTierRules} reads its value.
 */
export const tierRulesJson = sql<string>`(select coalesce(json_agg(json_build_object(
    'tierCode', r.tier_code, 'minRevenue', r.min_revenue::text, 'fromYear', r.from_year, 'toYear', r.to_year,
    'domainCode', r.domain_code, 'note', r.note)
  order by r.tier_code, r.domain_code, r.from_year, r.id), '[]'::json)::text from ${tierRules} as r)`

export function parseTierRules (text: string): TierRuleView[] {
  return (JSON.parse(text) as TierRuleRow[]).map(tierRuleView)
}

/** A firm's domain codes ({@link domainsOf}) as one scalar subquery of JSON text; {@link parseDomains} reads it. */
export const domainsJson = (enterpriseId: SQLWrapper) => sql<string>`(select coalesce(json_agg(d.domain_code), '[]'::json)::text
  from ${enterpriseDomains} as d where d.enterprise_id = ${enterpriseId})`

export function parseDomains (text: string): string[] {
  return (JSON.parse(text) as string[]).sort()
}

/** A fingerprint of the rule set, sent as ETag; PUT may send it back in If-Match. */
export function tierRulesEtag (rules: TierRuleView[]): string {
  const content = rules.map(r => ({ ...r })).sort((a, b) => canonicalJson(a).localeCompare(canonicalJson(b)))
  return '"' + createHash('sha256').update(canonicalJson(content)).digest('hex').slice(0, 32) + '"'
}

/** The domain codes of a firm (its tier may depend on them). */
export async function domainsOf (db: Db, enterpriseId: string): Promise<string[]> {
  const rows = await db.select({ code: enterpriseDomains.domainCode }).from(enterpriseDomains).where(eq(enterpriseDomains.enterpriseId, enterpriseId))
  return rows.map(r => r.code).sort()
}

/**
 * Replaces the whole rule set in one transaction, audited with before and
 * after. Stored declarations keep the tier they were given: rewriting past
 * years is an explicit recompute (recomputeTiers), never a side effect.
 */
export async function replaceTierRules (db: Db, ctx: AuditContext, input: TierRuleView[], ifMatch?: string): Promise<TierRuleView[]> {
  const rules = input.map(r => ({ ...r, toYear: r.toYear ?? null, domainCode: r.domainCode ?? null, note: r.note ?? null }))
  return await inTransaction(db, async (tx) => {
    // Serialise rule-set writers (readers keep seeing the old set until commit).
    await tx.execute(sql`lock table tier_rules in exclusive mode`)
    const known = (await tx.select({ code: domains.code }).from(domains)).map(d => d.code)
    const problems = tierRuleProblems(rules, { domains: known })
    if (problems.length > 0) throw errors.validation(problems.map(p => ({ field: `body.${p.field}`, message: p.message })))
    const before = await loadTierRules(tx)
    if (ifMatch != null && ifMatch !== '*' && ifMatch !== tierRulesEtag(before)) throw errors.versionMismatch(ifMatch)
    await tx.delete(tierRules)
    if (rules.length > 0) {
      await tx.insert(tierRules).values(rules.map(r => ({
        tierCode: r.tierCode, minRevenue: normalizeMoney(r.minRevenue), fromYear: r.fromYear, toYear: r.toYear, domainCode: r.domainCode, note: r.note
      })))
    }
    const after = await loadTierRules(tx)
    await recordAudit(tx, ctx, { action: 'tier_rules.replace', objectType: 'tier_rules', objectId: 'all', before, after })
    return after
  })
}

export interface TierChange { declarationId: string, enterpriseId: string, from: string, to: string }
export interface RecomputeReport { year: number, examined: number, changed: number, changes: TierChange[] }

/**
 * Reclassifies every stored declaration of `year` with the rules in force
 * now and each firm's current domains. Changed declarations get a new
 * version and a `declaration.reclassify` audit row each; the run itself is
 * audited as `tier_rules.recompute` with the summary.
 */
export async function recomputeTiers (db: Db, ctx: AuditContext, year: number): Promise<RecomputeReport> {
  return await inTransaction(db, async (tx) => {
    const rules = await loadTierRules(tx)
    const rows = await tx.select().from(declarations).where(eq(declarations.year, year)).orderBy(asc(declarations.id)).for('update')
    const firmIds = [...new Set(rows.map(r => r.enterpriseId))]
    const domainRows = firmIds.length === 0
      ? []
      : await tx.select().from(enterpriseDomains).where(inArray(enterpriseDomains.enterpriseId, firmIds))
    const domainsByFirm = new Map<string, string[]>()
    for (const d of domainRows) domainsByFirm.set(d.enterpriseId, [...(domainsByFirm.get(d.enterpriseId) ?? []), d.domainCode])
    const changes: TierChange[] = []
    for (const row of rows) {
      const tier = classifyTier(row.operatingRevenue, year, domainsByFirm.get(row.enterpriseId) ?? [], rules)
      if (tier === row.tierCode) continue
      await tx.update(declarations).set({ tierCode: tier, version: row.version + 1, updatedAt: new Date() })
        .where(eq(declarations.id, row.id))
      await recordAudit(tx, ctx, {
        action: 'declaration.reclassify', objectType: 'declaration', objectId: row.id,
        before: { tier: row.tierCode, version: row.version }, after: { tier, version: row.version + 1 }
      })
      changes.push({ declarationId: row.id, enterpriseId: row.enterpriseId, from: row.tierCode, to: tier })
    }
    const report = { year, examined: rows.length, changed: changes.length, changes }
    await recordAudit(tx, ctx, { action: 'tier_rules.recompute', objectType: 'tier_rules', objectId: String(year), after: report })
    return report
  })
}
