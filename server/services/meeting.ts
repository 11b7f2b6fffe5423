import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { applications, calls, enterprises } from '../../db/schema/index.ts'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { APPLICATION_STATES, type ApplicationState } from '../domain/application-state.ts'
import { errors } from '../domain/errors.ts'
import { STATIC_LABELS } from '../domain/labels.ts'
import { codeColumns, column, sendExport, type ExportColumn, type ExportFormat } from '../lib/export.ts'
import { decodeCursor, encodeCursor } from '../lib/pagination.ts'
import type { Principal } from '../domain/access.ts'
import { applicationView, type ApplicationQuery } from './application-reads.ts'
import { cursorInstant } from './calls.ts'

/**
 * The commission's meeting workbook (issue 13): the officers' and admins'
 * application list with what the meeting reads — firm, credit code,
 * district, tier of the graded declaration, total, grade, disagreement and
 * the rank by total within the call — sortable by score, and the same rows
 * as CSV or an xlsx workbook (one sheet per state). The firms' own list and
 * the reviewers' stay as they are (listApplications).
 */

export type MeetingSort = '-createdAt' | '-score' | 'score'
export const MEETING_SORTS: readonly MeetingSort[] = ['-createdAt', '-score', 'score']
export interface MeetingQuery extends ApplicationQuery { sort?: MeetingSort }

/** Applications ranked: scored or decided, by total within their call. */
export const RANKED_STATES: readonly ApplicationState[] = ['scored', 'admitted', 'rejected']
/** The most rows one export holds. */
export const MEETING_EXPORT_MAX = 20_000

const total = sql<string | null>`(${applications.score}->>'total')::numeric`
const ranked = sql.raw(`(${RANKED_STATES.map(s => `'${s}'`).join(', ')})`)
/**
 * Competition ranking ("1224"): one more than the ranked applications of the
 * same call with a strictly higher total; null for an application not ranked.
 */
const rankSql = sql<number | null>`case when ${applications.state} in ${ranked} and ${applications.score} is not null then
  (select count(*) + 1 from ${applications} b where b.call_id = ${applications.callId} and b.state in ${ranked}
    and b.score is not null and (b.score->>'total')::numeric > (${applications.score}->>'total')::numeric)::int end`

function meetingSelect (db: Db) {
  return db.select({
    application: applications,
    program: calls.programCode,
    firmName: enterprises.name,
    uscc: enterprises.uscc,
    district: sql<string | null>`coalesce(${applications.snapshot}->'enterprise'->>'districtCode', ${enterprises.districtCode})`,
    tier: sql<string | null>`${applications.snapshot}->'declaration'->>'tierCode'`,
    operatingRevenue: sql<string | null>`${applications.snapshot}->'declaration'->>'operatingRevenue'`,
    rdExpense: sql<string | null>`${applications.snapshot}->'declaration'->>'rdExpense'`,
    rank: rankSql
  }).from(applications)
    .innerJoin(calls, eq(calls.id, applications.callId))
    .innerJoin(enterprises, eq(enterprises.id, applications.enterpriseId))
}

function filters (q: MeetingQuery): SQL[] {
  const where: SQL[] = []
  if (q.callId != null) where.push(eq(applications.callId, q.callId))
  if (q.state != null) where.push(eq(applications.state, q.state))
  if (q.program != null) where.push(eq(calls.programCode, q.program))
  if (q.enterpriseId != null) where.push(eq(applications.enterpriseId, q.enterpriseId))
  return where
}

/** Score order: scored first (highest or lowest total), unscored last, then by id. */
function scoreOrder (sort: MeetingSort) {
  const noTotal = sql`(${total} is null)`
  return [asc(noTotal), sort === '-score' ? sql`${total} desc` : sql`${total} asc`, asc(applications.id)]
}

type MeetingRow = Awaited<ReturnType<ReturnType<typeof meetingSelect>['where']>>[number]

function scoreCursor (r: MeetingRow): Record<string, string | number> {
  const t = (r.application.score as { total?: string } | null)?.total
  return { n: t == null ? 1 : 0, s: t ?? '0', id: r.application.id }
}

const scoreOf = (a: typeof applications.$inferSelect) => a.score as { total?: string, grade?: string, disagreement?: boolean } | null

export function meetingItem (r: MeetingRow, viewer: Principal) {
  const score = scoreOf(r.application)
  return {
    ...applicationView(r.application, r.program, viewer),
    firmName: r.firmName,
    uscc: r.uscc,
    district: r.district ?? null,
    tier: r.tier ?? null,
    total: score?.total ?? null,
    grade: score?.grade ?? null,
    disagreement: score?.disagreement ?? null,
    rank: r.rank == null ? null : Number(r.rank),
    operatingRevenue: r.operatingRevenue ?? null,
    rdExpense: r.rdExpense ?? null
  }
}
export type MeetingItem = ReturnType<typeof meetingItem>

/** One page of the meeting list (officers, admins). */
export async function listMeeting (db: Db, viewer: Principal, q: MeetingQuery) {
  if (viewer.role !== 'officer' && viewer.role !== 'admin') throw errors.forbidden()
  const sort = q.sort ?? '-createdAt'
  const where = filters(q)
  let rows: MeetingRow[]
  if (sort === '-createdAt') {
    const after = decodeCursor<{ c: string, id: string }>(q.cursor, ['c', 'id'])
    if (after != null) where.push(sql`(${applications.createdAt}, ${applications.id}) < (${cursorInstant(after.c)}::timestamptz, ${after.id}::uuid)`)
    rows = await meetingSelect(db).where(and(...where)).orderBy(desc(applications.createdAt), desc(applications.id)).limit(q.limit + 1)
  } else {
    const after = decodeCursor<{ n: number, s: string, id: string }>(q.cursor, ['n', 's', 'id'])
    if (after != null) {
      if (!/^-?\d{1,12}(\.\d{1,6})?$/.test(String(after.s)) || (after.n !== 0 && after.n !== 1)) throw errors.validation([{ field: 'cursor', message: 'is not a cursor this endpoint returned' }])
      const sign = sql.raw(sort === '-score' ? '-' : '')
      where.push(sql`((${total} is null)::int, ${sign}coalesce(${total}, 0), ${applications.id}) > (${after.n}::int, ${sign}(${String(after.s)}::numeric), ${after.id}::uuid)`)
    }
    rows = await meetingSelect(db).where(and(...where)).orderBy(...scoreOrder(sort)).limit(q.limit + 1)
  }
  const more = rows.length > q.limit
  const items = more ? rows.slice(0, q.limit) : rows
  const last = items[items.length - 1]
  const nextCursor = !more
    ? null
    : sort === '-createdAt'
      ? encodeCursor({ c: last.application.createdAt.toISOString(), id: last.application.id })
      : encodeCursor(scoreCursor(last))
  return { items: items.map(r => meetingItem(r, viewer)), nextCursor }
}

/** Every row of the filter for an export, in the list's order (at most MEETING_EXPORT_MAX). */
export async function meetingExportRows (db: Db, viewer: Principal, q: Omit<MeetingQuery, 'limit' | 'cursor'>): Promise<MeetingItem[]> {
  if (viewer.role !== 'officer' && viewer.role !== 'admin') throw errors.forbidden()
  const sort = q.sort ?? '-createdAt'
  const query = meetingSelect(db).where(and(...filters({ ...q, limit: 0 })))
  const rows = sort === '-createdAt'
    ? await query.orderBy(desc(applications.createdAt), desc(applications.id)).limit(MEETING_EXPORT_MAX + 1)
    : await query.orderBy(...scoreOrder(sort)).limit(MEETING_EXPORT_MAX + 1)
  if (rows.length > MEETING_EXPORT_MAX) throw errors.validation([{ field: 'callId', message: `more than ${MEETING_EXPORT_MAX} applications: filter by call or state` }])
  return rows.map(r => meetingItem(r, viewer))
}

const DECISION_LABELS = { admit: ['入库', 'Admit'], reject: ['不予入库', 'Reject'] } as const

/** The workbook's columns: Chinese headers (English on request), labels beside codes, credit codes as text, money as numbers. */
export const MEETING_COLUMNS: ReadonlyArray<ExportColumn<MeetingItem>> = [
  column(['排名', 'Rank'], r => r.rank, 'number', 8),
  column(['企业名称', 'Firm'], r => r.firmName, 'general', 30),
  column(['统一社会信用代码', 'Credit code'], r => r.uscc, 'text', 22),
  ...codeColumns<MeetingItem>(['所在区', 'District'], 'district', r => r.district),
  ...codeColumns<MeetingItem>(['规模等级', 'Tier'], 'tier', r => r.tier),
  ...codeColumns<MeetingItem>(['项目', 'Program'], 'program', r => r.program),
  ...codeColumns<MeetingItem>(['状态', 'State'], 'applicationState', r => r.state),
  column(['总分', 'Total'], r => r.total, 'money', 10),
  column(['等级', 'Grade'], r => r.grade, 'general', 8),
  column(['评审分歧', 'Disagreement'], r => r.disagreement, 'boolean', 10),
  column(['营业收入（元）', 'Operating revenue (yuan)'], r => r.operatingRevenue, 'money', 18),
  column(['研发投入（元）', 'R&D expense (yuan)'], r => r.rdExpense, 'money', 18),
  {
    header: ['决定', 'Decision'],
    value: (r, ctx) => r.decision == null ? '' : DECISION_LABELS[r.decision as 'admit' | 'reject']?.[ctx.lang === 'zh' ? 0 : 1] ?? r.decision,
    width: 10
  },
  column(['决定理由', 'Decision reason'], r => r.decisionReason, 'general', 24),
  column(['提交时间', 'Submitted at'], r => r.submittedAt, 'date', 20),
  column(['申报编号', 'Application id'], r => r.id, 'text', 38)
]

/** xlsx sheets: one per state present (in the state machine's order), or the one state filtered on. */
export function meetingSheets (rows: readonly MeetingItem[], states: readonly ApplicationState[]): Array<{ state: ApplicationState, rows: MeetingItem[] }> {
  const present = states.filter(s => rows.some(r => r.state === s))
  return present.map(state => ({ state, rows: rows.filter(r => r.state === state) }))
}

/** Sends the meeting workbook as CSV or xlsx (one sheet per state, or the state filtered on). */
export async function sendMeetingExport (db: Db, request: FastifyRequest, reply: FastifyReply, viewer: Principal, q: MeetingQuery,
  format: ExportFormat): Promise<FastifyReply> {
  const rows = await meetingExportRows(db, viewer, q)
  const stateName = (s: ApplicationState) => STATIC_LABELS.applicationState[s] as readonly [string, string]
  const sheets = q.state != null ? [{ state: q.state, rows }] : meetingSheets(rows, APPLICATION_STATES)
  return await sendExport(db, request, reply, {
    format,
    filename: q.callId != null ? `applications-${q.callId}` : 'applications',
    columns: MEETING_COLUMNS,
    rows,
    sheet: ['申报', 'Applications'],
    sheets: sheets.map(s => ({ name: stateName(s.state), rows: s.rows }))
  })
}
