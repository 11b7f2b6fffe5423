import { and, asc, eq, gt, inArray, sql, type SQL } from 'drizzle-orm'
import { type Db, inTransaction } from '../../db/client.ts'
import { enterpriseDomains, enterprises, poolMemberships, programs } from '../../db/schema/index.ts'
import { enterpriseVisibility, isOwner, type Viewer } from '../domain/access.ts'
import { errors } from '../domain/errors.ts'
import type { MembershipState } from '../domain/membership-state.ts'
import type { TierCode } from '../domain/tiers.ts'
import { recordAudit, type AuditContext } from '../lib/audit.ts'
import { decodeCursor, page } from '../lib/pagination.ts'
import { assertReferences, enterpriseView, primaryDomainOf, type EnterpriseRow } from './accounts.ts'
import { currentTierOf } from './declarations.ts'
import { codeColumns, codeListColumns, column, labelOf, type ExportColumn } from '../lib/export.ts'
import { domainsOf } from './tier-rules.ts'

/**
 * Whether the firm exists and `viewer` may see it (profile, current tier,
 * pool memberships, declarations: enterpriseVisibility in
 * server/domain/access.ts). Callers answer 404, never 403, when it is false,
 * so a hidden firm looks like a missing one.
 */
export async function enterpriseVisible (db: Db, viewer: Viewer, enterpriseId: string): Promise<boolean> {
  const [row] = await db.select({ id: enterprises.id }).from(enterprises)
    .where(and(eq(enterprises.id, enterpriseId), enterpriseVisibility(viewer)))
  return row != null
}

/** 404 unless the firm exists and `viewer` may see it. */
export async function assertEnterpriseVisible (db: Db, viewer: Viewer, enterpriseId: string): Promise<void> {
  if (!await enterpriseVisible(db, viewer, enterpriseId)) throw errors.notFound()
}

/** 404 unless `viewer` is the firm's own account. */
export function assertOwner (viewer: Viewer, enterpriseId: string): void {
  if (!isOwner(viewer, enterpriseId)) throw errors.notFound()
}

function membershipView (m: typeof poolMemberships.$inferSelect) {
  return {
    id: m.id, program: m.programCode, status: m.status as MembershipState, tierAtAdmission: m.tierAtAdmission, currentTier: m.currentTier,
    admittedOn: m.admittedOn,
    validFrom: m.validFrom, validUntil: m.validUntil, statusReason: m.statusReason ?? null, direct: m.direct, barredUntil: m.barredUntil ?? null
  }
}

function detailView (e: EnterpriseRow, domainCodes: string[], current: { tier: TierCode, year: number } | null,
  memberships: Array<typeof poolMemberships.$inferSelect>) {
  return {
    ...enterpriseView(e, domainCodes),
    currentTier: current?.tier ?? null,
    latestDeclarationYear: current?.year ?? null,
    poolMemberships: memberships.map(membershipView),
    updatedAt: e.updatedAt.toISOString()
  }
}

/** Profile, current tier, latest declaration year and pool memberships; null when missing. */
export async function getEnterpriseDetail (db: Db, enterpriseId: string) {
  const [e] = await db.select().from(enterprises).where(eq(enterprises.id, enterpriseId))
  if (e == null) return null
  const memberships = await db.select().from(poolMemberships).where(eq(poolMemberships.enterpriseId, enterpriseId)).orderBy(asc(poolMemberships.createdAt),
    asc(poolMemberships.id))
  return detailView(e, await domainsOf(db, enterpriseId), await currentTierOf(db, enterpriseId), memberships)
}

export interface EnterpriseFilters {
  tier?: string
  program?: string
  poolStatus?: string
  domain?: string
  district?: string
  /** Part of the firm's name, or the start of its credit code (case-insensitive). */
  q?: string
}

// The tier of a firm's latest declaration, as a correlated subquery (so the
// list can filter and page on it in one statement on both drivers).
const latestDeclaration = (column: 'tier_code' | 'year') => sql.raw(
  `(select d.${column} from declarations d where d.enterprise_id = "enterprises"."id" order by d.year desc limit 1)`
)

function filterConditions (f: EnterpriseFilters): SQL[] {
  const where: SQL[] = []
  if (f.district != null) where.push(eq(enterprises.districtCode, f.district))
  if (f.q != null && f.q.trim() !== '') {
    // LIKE's wildcards in the search text are searched for as themselves.
    const text = f.q.trim().replace(/[\\%_]/g, c => '\\' + c)
    where.push(sql`(${enterprises.name} ilike ${'%' + text + '%'} or ${enterprises.uscc} like ${text.toUpperCase() + '%'})`)
  }
  if (f.domain != null) where.push(sql`exists (select 1 from enterprise_domains ed where ed.enterprise_id = ${enterprises.id} and ed.domain_code = ${f.domain})`)
  if (f.tier != null) where.push(sql`${latestDeclaration('tier_code')} = ${f.tier}`)
  if (f.program != null || f.poolStatus != null) {
    where.push(sql`exists (select 1 from pool_memberships pm where pm.enterprise_id = ${enterprises.id}${f.program != null ? sql` and pm.program_code = ${f.program}` : sql``}${f.poolStatus != null ? sql` and pm.status = ${f.poolStatus}` : sql``})`)
  }
  return where
}

export type EnterpriseListItem = Awaited<ReturnType<typeof listEnterprises>>['items'][number]

/** Firms matching the filters that `viewer` may see (enterpriseVisibility; all without a viewer), by id, one page (keyset on id). */
export async function listEnterprises (db: Db, filters: EnterpriseFilters, opts: { limit: number, cursor?: string }, viewer?: Viewer) {
  if (filters.program != null) {
    const [p] = await db.select({ code: programs.code }).from(programs).where(eq(programs.code, filters.program))
    if (p == null) throw errors.unknownReference('program', filters.program)
  }
  const after = decodeCursor<{ id: string }>(opts.cursor, ['id'])
  const where = filterConditions(filters)
  const visible = viewer == null ? undefined : enterpriseVisibility(viewer)
  if (visible != null) where.push(visible)
  if (after != null) where.push(gt(enterprises.id, String(after.id)))
  const rows = await db.select({
    id: enterprises.id,
    uscc: enterprises.uscc,
    name: enterprises.name,
    districtCode: enterprises.districtCode,
    primaryDomain: enterprises.primaryDomain,
    foundedOn: enterprises.foundedOn,
    currentTier: sql<string | null>`${latestDeclaration('tier_code')}`,
    latestDeclarationYear: sql<number | null>`${latestDeclaration('year')}`
  }).from(enterprises).where(and(...where)).orderBy(asc(enterprises.id)).limit(opts.limit + 1)
  const p = page(rows, opts.limit, r => ({ id: r.id }))
  const ids = p.items.map(r => r.id)
  const domainRows = ids.length === 0 ? [] : await db.select().from(enterpriseDomains).where(inArray(enterpriseDomains.enterpriseId, ids))
  const poolRows = ids.length === 0
    ? []
    : await db.select().from(poolMemberships).where(inArray(poolMemberships.enterpriseId, ids))
      .orderBy(asc(poolMemberships.createdAt), asc(poolMemberships.id))
  const items = p.items.map(r => ({
    id: r.id,
    uscc: r.uscc,
    name: r.name,
    districtCode: r.districtCode,
    domains: domainRows.filter(d => d.enterpriseId === r.id).map(d => d.domainCode).sort(),
    primaryDomain: r.primaryDomain ?? null,
    foundedOn: r.foundedOn,
    currentTier: (r.currentTier ?? null) as TierCode | null,
    latestDeclarationYear: r.latestDeclarationYear == null ? null : Number(r.latestDeclarationYear),
    pool: poolRows.filter(m => m.enterpriseId === r.id).map(m => ({ program: m.programCode, status: membershipView(m).status }))
  }))
  return { items, nextCursor: p.nextCursor }
}

/** The register's export columns (CSV and xlsx through server/lib/export.ts). */
export const ENTERPRISE_EXPORT_COLUMNS: Array<ExportColumn<EnterpriseListItem>> = [
  column(['统一社会信用代码', 'Credit code'], e => e.uscc, 'text', 22),
  column(['企业名称', 'Firm'], e => e.name, 'general', 30),
  ...codeColumns<EnterpriseListItem>(['所在区县', 'District'], 'district', e => e.districtCode),
  ...codeListColumns<EnterpriseListItem>(['重点领域', 'Domains'], ['重点领域代码', 'Domain codes'], 'domain', e => e.domains),
  column(['成立日期', 'Founded on'], e => e.foundedOn, 'date', 12),
  ...codeColumns<EnterpriseListItem>(['规模等级', 'Tier'], 'tier', e => e.currentTier),
  column(['最近申报年度', 'Latest declaration year'], e => e.latestDeclarationYear, 'number'),
  {
    header: ['入库情况', 'Pool'],
    value: (e, ctx) => e.pool.map(m => `${labelOf(ctx.labels, 'program', m.program, ctx.lang)}:${labelOf(ctx.labels, 'membershipStatus', m.status, ctx.lang)}`)
      .join(ctx.lang === 'zh' ? '；' : '; '),
    width: 30
  },
  column(['企业编号', 'Firm id'], e => e.id, 'text', 38)
]

/** Every firm matching the filters (walks all pages), for the export. */
export async function enterpriseExportRows (db: Db, filters: EnterpriseFilters, viewer?: Viewer): Promise<EnterpriseListItem[]> {
  const rows: EnterpriseListItem[] = []
  let cursor: string | undefined
  do {
    const p = await listEnterprises(db, filters, { limit: 500, cursor }, viewer)
    rows.push(...p.items)
    cursor = p.nextCursor ?? undefined
  } while (cursor != null)
  return rows
}

export interface EnterprisePatch {
  name?: string
  contactName?: string | null
  contactPhone?: string | null
  address?: string | null
  website?: string | null
  districtCode?: string
  domains?: string[]
  primaryDomain?: string
}

/**
 * The owner changes its contact and profile fields, audited with before and
 * after. Changing domains affects the tier of declarations written from now
 * on; stored tiers stay until an admin recomputes.
 */
export async function updateEnterprise (db: Db, ctx: AuditContext, enterpriseId: string, patch: EnterprisePatch) {
  const domainCodes = patch.domains == null ? undefined : [...new Set(patch.domains)]
  await assertReferences(db, patch.districtCode, domainCodes)
  return await inTransaction(db, async (tx) => {
    const [current] = await tx.select().from(enterprises).where(eq(enterprises.id, enterpriseId)).for('no key update')
    if (current == null) throw errors.notFound()
    const beforeDomains = await domainsOf(tx, enterpriseId)
    const before = enterpriseView(current, beforeDomains)
    const set: Partial<typeof enterprises.$inferInsert> = {}
    if (patch.name !== undefined) set.name = patch.name.trim()
    for (const k of ['contactName', 'contactPhone', 'address', 'website'] as const) {
      if (patch[k] !== undefined) set[k] = patch[k] == null ? null : patch[k].trim()
    }
    if (patch.districtCode !== undefined) set.districtCode = patch.districtCode
    if (patch.primaryDomain != null || domainCodes != null) {
      // Named: one of the (new) domains. Not named: kept while still among them, else the first new one.
      const kept = current.primaryDomain != null && (domainCodes ?? beforeDomains).includes(current.primaryDomain) ? current.primaryDomain : null
      set.primaryDomain = primaryDomainOf(domainCodes ?? beforeDomains, patch.primaryDomain ?? kept)
    }
    const [updated] = await tx.update(enterprises).set({ ...set, updatedAt: new Date() }).where(eq(enterprises.id, enterpriseId)).returning()
    if (domainCodes != null) {
      await tx.delete(enterpriseDomains).where(eq(enterpriseDomains.enterpriseId, enterpriseId))
      await tx.insert(enterpriseDomains).values(domainCodes.map(domainCode => ({ enterpriseId, domainCode })))
    }
    const after = enterpriseView(updated, domainCodes ?? beforeDomains)
    await recordAudit(tx, ctx, { action: 'enterprise.update', objectType: 'enterprise', objectId: enterpriseId, before, after })
    const memberships = await tx.select().from(poolMemberships).where(eq(poolMemberships.enterpriseId, enterpriseId))
      .orderBy(asc(poolMemberships.createdAt), asc(poolMemberships.id))
    return detailView(updated, domainCodes ?? beforeDomains, await currentTierOf(tx, enterpriseId), memberships)
  })
}
