import ExcelJS from 'exceljs'

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/**
 * One worksheet: a bold header row, then the rows. Money stays text (exact
 * decimal strings; a spreadsheet float would round large sums), numbers stay
 * numbers. Cells are values, never formulas.
 */
export async function toXlsx (sheet: string, header: string[], rows: unknown[][]): Promise<Buffer> {
  const book = new ExcelJS.Workbook()
  book.created = new Date(0)
  const ws = book.addWorksheet(sheet.slice(0, 31))
  ws.addRow(header).font = { bold: true }
  for (const r of rows) ws.addRow(r.map(v => v == null ? null : typeof v === 'number' ? v : String(v)))
  ws.columns.forEach(c => { c.width = 18 })
  return Buffer.from(await book.xlsx.writeBuffer())
}

/** `?format=` of the exports: JSON by default, csv or xlsx when asked. */
export type ExportFormat = 'json' | 'csv' | 'xlsx'
