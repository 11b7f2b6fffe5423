import ExcelJS from 'exceljs'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Db } from '../../db/client.ts'
import { districts, domains, programs, tiers } from '../../db/schema/index.ts'
import { STATIC_LABELS, type StaticLabelKind } from '../domain/labels.ts'
import { requestLanguage } from '../plugins/errors.ts'
import { CSV_BOM, CSV_CONTENT_TYPE, csvCell } from './csv.ts'

/**
 * The one export helper: every CSV and xlsx the service hands to people goes
 * through it, so they all read the same way in Excel.
 *
 * - Headers in Chinese by default, in English when the caller prefers English
 *   (`Accept-Language: en`).
 * - Codes (tier, program, district, status …) get a label column in the
 *   caller's language beside the code column, so a sheet can be read and
 *   still filtered by code.
 * - Credit codes and other codes made of digits are text: in CSV written as
 *   `="…"` (Excel otherwise shows 912102… as 9.12102E+17 and drops leading
 *   zeros), in xlsx as string cells with the text number format `@`.
 * - Money stays the exact decimal string in CSV; in xlsx it is a number cell
 *   with two decimals when it fits a double exactly (15 digits), else text.
 */

export type ExportLang = 'zh' | 'en'
export type ExportFormat = 'csv' | 'xlsx'
export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/** Reference tables whose codes have names in the database; the rest are in server/domain/labels.ts. */
export type ReferenceLabelKind = 'tier' | 'program' | 'domain' | 'district'
export type LabelKind = ReferenceLabelKind | StaticLabelKind

/** code → [Chinese, English] for each kind of code. */
export type Labels = Record<LabelKind, ReadonlyMap<string, readonly [string, string]>>

/** Loads the names of the reference codes (four small tables) and adds the fixed ones. */
export async function loadLabels (db: Db): Promise<Labels> {
  const [t, p, d, di] = await Promise.all([
    db.select({ code: tiers.code, zh: tiers.nameZh, en: tiers.nameEn }).from(tiers),
    db.select({ code: programs.code, zh: programs.nameZh, en: programs.nameEn }).from(programs),
    db.select({ code: domains.code, zh: domains.nameZh, en: domains.nameEn }).from(domains),
    db.select({ code: districts.code, zh: districts.nameZh, en: districts.nameEn }).from(districts)
  ])
  const map = (rows: Array<{ code: string, zh: string, en: string }>) => new Map(rows.map(r => [r.code, [r.zh, r.en] as const]))
  const fixed = Object.fromEntries(Object.entries(STATIC_LABELS).map(([k, v]) => [k, new Map(Object.entries(v))])) as Record<StaticLabelKind, Map<string,
    readonly [string, string]>>
  return { tier: map(t), program: map(p), domain: map(d), district: map(di), ...fixed }
}

/** The label of a code in a language; an unknown code is shown as itself. */
export function labelOf (labels: Labels, kind: LabelKind, code: string | null | undefined, lang: ExportLang): string {
  if (code == null || code === '') return ''
  const entry = labels[kind].get(code)
  return entry == null ? code : entry[lang === 'zh' ? 0 : 1]
}

/**
 * How a column's cells are written: `text` (codes, credit codes: always text in
 * Excel), `money` (yuan decimal string), `number`, `date`, `boolean` (是/否, Yes/No)
 * or `general` (as given).
 */
export type ColumnType = 'text' | 'money' | 'number' | 'date' | 'boolean' | 'general'

export interface ExportColumn<R> {
  /** Header: [Chinese, English]. */
  header: readonly [string, string]
  value: (row: R, ctx: ExportContext) => unknown
  type?: ColumnType
  /** xlsx column width in characters. */
  width?: number
}

export interface ExportContext { lang: ExportLang, labels: Labels }

/** A column with the text of a value (no label). */
export function column<R> (header: readonly [string, string], value: (row: R) => unknown, type: ColumnType = 'general', width?: number): ExportColumn<R> {
  return { header, value: (r) => value(r), type, width }
}

/**
 * Two columns for a code: its label (in the caller's language) then the code itself.
 * `header` names the thing (规模等级 / Tier); the code column adds 代码 / code.
 */
export function codeColumns<R> (header: readonly [string, string], kind: LabelKind, code: (row: R) => string | null | undefined): Array<ExportColumn<R>> {
  return [
    { header, value: (r, ctx) => labelOf(ctx.labels, kind, code(r), ctx.lang), type: 'general', width: 16 },
    { header: [`${header[0]}代码`, `${header[1]} code`], value: (r) => code(r) ?? '', type: 'text', width: 14 }
  ]
}

/** Several codes in one cell (a firm's domains): labels joined by 、 or ", ", and the codes by ";". */
export function codeListColumns<R> (header: readonly [string, string], codeHeader: readonly [string, string], kind: LabelKind,
  codes: (row: R) => readonly string[]): Array<ExportColumn<R>> {
  return [
    { header, value: (r, ctx) => codes(r).map(c => labelOf(ctx.labels, kind, c, ctx.lang)).join(ctx.lang === 'zh' ? '、' : ', '), width: 24 },
    { header: codeHeader, value: (r) => codes(r).join(';'), type: 'text', width: 20 }
  ]
}

/** The caller's language for an export: Chinese unless English is preferred. */
export function exportLanguage (request: FastifyRequest): ExportLang {
  return requestLanguage(request, 'zh')
}

/** `?format=csv|xlsx`, or an Accept header preferring one of them; null means JSON. */
export function exportFormat (format: string | undefined, accept: string | undefined): ExportFormat | null {
  if (format != null) return format === 'csv' || format === 'xlsx' ? format : null
  if (accept == null) return null
  const first = accept.split(',')[0].trim().toLowerCase()
  if (first.startsWith('text/csv')) return 'csv'
  if (first.startsWith(XLSX_CONTENT_TYPE)) return 'xlsx'
  return null
}

function booleanText (v: unknown, lang: ExportLang): string {
  if (v == null) return ''
  return v === true ? (lang === 'zh' ? '是' : 'Yes') : (lang === 'zh' ? '否' : 'No')
}

/** CSV cell text for one value of a column. */
function csvText (v: unknown, type: ColumnType, lang: ExportLang): string {
  if (v == null || v === '') return ''
  if (type === 'boolean') return csvCell(booleanText(v, lang))
  const s = String(v)
  // ="…" makes Excel keep the cell as text; only for plain codes, so nothing else can ride in the formula.
  if (type === 'text' && /^[0-9A-Za-z]+$/.test(s) && /^\d/.test(s)) return `="${s}"`
  return csvCell(s)
}

/** A whole CSV document (UTF-8 BOM, CRLF). */
export function exportCsv<R> (columns: ReadonlyArray<ExportColumn<R>>, rows: readonly R[], ctx: ExportContext): string {
  const i = ctx.lang === 'zh' ? 0 : 1
  const lines = [columns.map(c => csvCell(c.header[i])).join(',')]
  for (const r of rows) lines.push(columns.map(c => csvText(c.value(r, ctx), c.type ?? 'general', ctx.lang)).join(','))
  return CSV_BOM + lines.join('\r\n') + '\r\n'
}

const EXACT_IN_DOUBLE = /^-?\d{1,13}(\.\d{1,2})?$/

/** A whole xlsx workbook with one sheet: bold, frozen header row; codes as text. */
export async function exportXlsx<R> (columns: ReadonlyArray<ExportColumn<R>>, rows: readonly R[], ctx: ExportContext, sheetName: string): Promise<Buffer> {
  return await exportXlsxSheets(columns, [{ name: sheetName, rows }], ctx)
}

/** A workbook with one sheet per entry, each with the same columns (an empty list still gets one sheet, headers only). */
export async function exportXlsxSheets<R> (columns: ReadonlyArray<ExportColumn<R>>, sheets: ReadonlyArray<{ name: string, rows: readonly R[] }>,
  ctx: ExportContext): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  wb.creator = 'peiyu'
  for (const sheet of sheets) addSheet(wb, columns, sheet.rows, ctx, sheet.name)
  return Buffer.from(await wb.xlsx.writeBuffer())
}

function addSheet<R> (wb: ExcelJS.Workbook, columns: ReadonlyArray<ExportColumn<R>>, rows: readonly R[], ctx: ExportContext, sheetName: string): void {
  // Sheet names: at most 31 characters, none of : \ / ? * [ ].
  const ws = wb.addWorksheet(sheetName.replace(/[:\\/?*[\]]/g, ' ').slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] })
  const i = ctx.lang === 'zh' ? 0 : 1
  ws.columns = columns.map(c => ({
    header: c.header[i],
    width: c.width ?? Math.max(10, c.header[i].length * 2 + 2),
    style: c.type === 'text' ? { numFmt: '@' } : c.type === 'money' ? { numFmt: '#,##0.00' } : {}
  }))
  ws.getRow(1).font = { bold: true }
  for (const r of rows) {
    ws.addRow(columns.map(c => {
      const v = c.value(r, ctx)
      if (v == null || v === '') return null
      switch (c.type ?? 'general') {
        case 'text': return String(v)
        case 'money': return typeof v === 'string' && EXACT_IN_DOUBLE.test(v) ? Number(v) : String(v)
        case 'number': return typeof v === 'number' ? v : Number.isFinite(Number(v)) ? Number(v) : String(v)
        case 'boolean': return booleanText(v, ctx.lang)
        default: return typeof v === 'number' ? v : String(v)
      }
    }))
  }
}

export interface ExportRequest<R> {
  format: ExportFormat
  /** File name without extension (ASCII). */
  filename: string
  columns: ReadonlyArray<ExportColumn<R>>
  rows: readonly R[]
  /** xlsx sheet name: [Chinese, English]. */
  sheet?: readonly [string, string]
  /** xlsx only: several sheets instead of one, each with its name and rows (CSV takes `rows`). */
  sheets?: ReadonlyArray<{ name: readonly [string, string], rows: readonly R[] }>
}

/** Sends rows as CSV or xlsx in the caller's language (with the labels loaded from `db`). */
export async function sendExport<R> (db: Db, request: FastifyRequest, reply: FastifyReply, e: ExportRequest<R>): Promise<FastifyReply> {
  const ctx: ExportContext = { lang: exportLanguage(request), labels: await loadLabels(db) }
  reply.header('content-language', ctx.lang === 'zh' ? 'zh-CN' : 'en')
  if (e.format === 'xlsx') {
    const i = ctx.lang === 'zh' ? 0 : 1
    const sheet = e.sheet?.[i] ?? e.filename
    const body = e.sheets != null && e.sheets.length > 0
      ? await exportXlsxSheets(e.columns, e.sheets.map(s => ({ name: s.name[i], rows: s.rows })), ctx)
      : await exportXlsx(e.columns, e.rows, ctx, sheet)
    return await reply.type(XLSX_CONTENT_TYPE).header('content-disposition', `attachment; filename="${e.filename}.xlsx"`).send(body)
  }
  return await reply.type(CSV_CONTENT_TYPE).header('content-disposition', `attachment; filename="${e.filename}.csv"`)
    .send(exportCsv(e.columns, e.rows, ctx))
}
