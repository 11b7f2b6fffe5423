import type { FieldError } from './errors.ts'
import { toFen } from './money.ts'

/** A year's figures as the firm declares them: money as decimal strings of yuan. */
export interface DeclarationFigures {
  operatingRevenue: string
  softwareRevenue: string
  rdExpense: string
  exportRevenue: string
  mainBusinessRevenue?: string | null
  totalAssets?: string | null
  totalLiabilities?: string | null
  employees: number
  rdStaff: number
  patents: number
  softwareCopyrights: number
}

/** The figures as stored and shown: every field present, the optional money ones null when not declared. */
export type StoredFigures = Required<DeclarationFigures>

export const MONEY_FIELDS = ['operatingRevenue', 'softwareRevenue', 'rdExpense', 'exportRevenue', 'mainBusinessRevenue', 'totalAssets', 'totalLiabilities'] as const
export const COUNT_FIELDS = ['employees', 'rdStaff', 'patents', 'softwareCopyrights'] as const

export interface DeclarationContext {
  year: number
  /** The current calendar year: figures for a later year cannot exist yet. */
  currentYear: number
  /** The year the firm was founded (from enterprises.founded_on). */
  foundedYear: number
}

/**
 * The consistency checks of a declaration (issue 3), each naming the field
 * (`body.softwareRevenue`, `params.year`) so the form can point at it. Empty
 * means consistent. The parts of a figure can never exceed the whole:
 * software, export and main-business revenue are all part of operating
 * revenue, R&D staff are employees. R&D spending is deliberately not capped
 * by revenue: young firms routinely spend more than they earn.
 */
export function declarationProblems (d: DeclarationFigures, ctx: DeclarationContext): FieldError[] {
  const problems: FieldError[] = []
  if (ctx.year > ctx.currentYear) problems.push({ field: 'params.year', message: `must not be in the future (the current year is ${ctx.currentYear})` })
  if (ctx.year < ctx.foundedYear) problems.push({ field: 'params.year', message: `must not be before the firm was founded (${ctx.foundedYear})` })

  const fen: Partial<Record<typeof MONEY_FIELDS[number], bigint>> = {}
  for (const f of MONEY_FIELDS) {
    const v = d[f]
    if (v == null) continue
    let amount: bigint
    try {
      amount = toFen(v)
    } catch {
      problems.push({ field: `body.${f}`, message: 'must be a decimal string of yuan with at most 2 decimals' })
      continue
    }
    if (amount < 0n) problems.push({ field: `body.${f}`, message: 'must not be negative' })
    else fen[f] = amount
  }
  for (const f of COUNT_FIELDS) {
    const v = d[f]
    if (!Number.isSafeInteger(v)) problems.push({ field: `body.${f}`, message: 'must be a whole number' })
    else if (v < 0) problems.push({ field: `body.${f}`, message: 'must not be negative' })
  }

  const revenue = fen.operatingRevenue
  if (revenue != null) {
    for (const part of ['softwareRevenue', 'exportRevenue', 'mainBusinessRevenue'] as const) {
      const amount = fen[part]
      if (amount != null && amount > revenue) problems.push({ field: `body.${part}`, message: `must not exceed operatingRevenue (${d.operatingRevenue})` })
    }
  }
  if (Number.isSafeInteger(d.rdStaff) && Number.isSafeInteger(d.employees) && d.rdStaff > d.employees) {
    problems.push({ field: 'body.rdStaff', message: `must not exceed employees (${d.employees})` })
  }
  // A debt ratio needs both halves; liabilities alone mean nothing to grade.
  if (d.totalLiabilities != null && d.totalAssets == null) {
    problems.push({ field: 'body.totalLiabilities', message: 'may only be given together with totalAssets' })
  }
  return problems
}
