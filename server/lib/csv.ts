import { isDecimal } from '../domain/decimal.ts'

/**
 * CSV for spreadsheet users (RFC 4180, CRLF, UTF-8 with a BOM so Excel reads
 * Chinese correctly). Shared by every endpoint marked (csv) in the API.
 */
export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8'
export const CSV_BOM = '\uFEFF'

/**
 * One cell. Text that a spreadsheet would run as a formula (=, +, -, @, tab,
 * CR at the start: OWASP "CSV injection") gets a leading apostrophe; plain
 * numbers such as "-12.50" are left alone.
 */
export function csvCell (value: unknown): string {
  if (value == null) return ''
  let s = typeof value === 'string' ? value : String(value)
  if (/^[=+\-@\t\r]/.test(s) && !isDecimal(s)) s = "'" + s
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s
}

/** A whole document: BOM, header row, then the rows. */
export function toCsv (header: string[], rows: unknown[][]): string {
  return CSV_BOM + [header, ...rows].map(r => r.map(csvCell).join(',')).join('\r\n') + '\r\n'
}

/** True when the caller asked for CSV: `?format=csv` or an Accept header preferring text/csv. */
export function wantsCsv (format: string | undefined, accept: string | undefined): boolean {
  if (format != null) return format === 'csv'
  if (accept == null) return false
  const first = accept.split(',')[0].trim().toLowerCase()
  return first.startsWith('text/csv')
}
