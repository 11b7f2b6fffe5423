import type { ApplicationEvent } from './application-state.ts'
import type { StoredFigures } from './declarations.ts'
import { evaluateEligibility, type Eligibility, type GateDefinition } from './eligibility.ts'
import { normalizeMoney, normalizeOptionalMoney } from './money.ts'
import { autoScore, type AutoScore, type FrozenFigures, type Rubric } from './rubrics.ts'

/**
 * What submitting an application freezes and decides (docs/domain.md, "Calls,
 * applications"), as a pure function: the snapshot the application is graded
 * on, the program's eligibility gates against it, the rubric's auto-scored
 * indicators, and the state-machine event (`submit` or `submit_ineligible`).
 * The applications service loads the inputs inside its transaction; the seed
 * (scripts/seed/grading.ts) builds its history with the same function.
 */

/** A declaration as stored: money as the database's numeric strings. */
export interface DeclarationRecord extends StoredFigures {
  id: string
  year: number
  tierCode: string
  version: number
}

/** A declaration in the snapshot: the record with money as two-decimal strings. */
export type SnapshotDeclaration = DeclarationRecord

export interface SnapshotDocument { id: string, name: string, type: string, size: number, sha256: string, kind?: string | null }

export interface ApplicationSnapshot {
  frozenAt: string
  call: { id: string, program: string, year: number, rubricId: string }
  enterprise: { id: string, uscc: string, name: string, districtCode: string, foundedOn: string, domains: string[] }
  declaration: SnapshotDeclaration
  previousDeclaration: SnapshotDeclaration | null
  documents: SnapshotDocument[]
}

export interface SubmissionInput {
  now: Date
  call: ApplicationSnapshot['call']
  /** The firm's profile; `domains` sorted by code. */
  enterprise: ApplicationSnapshot['enterprise']
  /** The firm's most recent declaration of a year up to the call year (gradedDeclaration). */
  declaration: DeclarationRecord
  /** Its declaration of the year before, if any (for growth). */
  previousDeclaration: DeclarationRecord | null
  documents: SnapshotDocument[]
  /** The program's gates (policy eligibility_gates). */
  gates: readonly GateDefinition[]
  /** The call's rubric. */
  rubric: Rubric
}

export interface Submission {
  snapshot: ApplicationSnapshot
  declarationYear: number
  eligibility: Eligibility
  /** Null for an ineligible application: it is never reviewed. */
  autoScores: AutoScore | null
  event: Extract<ApplicationEvent, 'submit' | 'submit_ineligible'>
}

/** The declaration as the snapshot keeps it (money normalised to two decimals). */
export function declarationFigures (d: DeclarationRecord): SnapshotDeclaration {
  return {
    id: d.id,
    year: d.year,
    tierCode: d.tierCode,
    version: d.version,
    operatingRevenue: normalizeMoney(d.operatingRevenue),
    softwareRevenue: normalizeMoney(d.softwareRevenue),
    rdExpense: normalizeMoney(d.rdExpense),
    exportRevenue: normalizeMoney(d.exportRevenue),
    mainBusinessRevenue: normalizeOptionalMoney(d.mainBusinessRevenue),
    totalAssets: normalizeOptionalMoney(d.totalAssets),
    totalLiabilities: normalizeOptionalMoney(d.totalLiabilities),
    employees: d.employees,
    rdStaff: d.rdStaff,
    patents: d.patents,
    softwareCopyrights: d.softwareCopyrights
  }
}

/** The snapshot's figures in the shape the rubric's auto indicators read. */
export function frozenFigures (snapshot: Pick<ApplicationSnapshot, 'declaration' | 'previousDeclaration'>): FrozenFigures {
  const previous = snapshot.previousDeclaration
  return {
    ...snapshot.declaration,
    previous: previous == null ? null : { year: previous.year, operatingRevenue: previous.operatingRevenue }
  }
}

/**
 * The declaration an application to a call of `callYear` is graded on: the
 * most recent one of a year up to the call year, and the one of the year
 * before it (null when the firm did not declare that year). Null when there
 * is none (409 DECLARATION_REQUIRED in the service).
 */
export function gradedDeclaration<T extends { year: number }> (declarations: Iterable<T>, callYear: number): { graded: T, previous: T | null } | null {
  let graded: T | null = null
  const byYear = new Map<number, T>()
  for (const d of declarations) {
    byYear.set(d.year, d)
    if (d.year <= callYear && (graded == null || d.year > graded.year)) graded = d
  }
  if (graded == null) return null
  return { graded, previous: byYear.get(graded.year - 1) ?? null }
}

/** Freezes the snapshot, runs the gates and, for an eligible application, the auto-scored indicators. */
export function freezeSubmission (input: SubmissionInput): Submission {
  const snapshot: ApplicationSnapshot = {
    frozenAt: input.now.toISOString(),
    call: input.call,
    enterprise: input.enterprise,
    declaration: declarationFigures(input.declaration),
    previousDeclaration: input.previousDeclaration == null ? null : declarationFigures(input.previousDeclaration),
    documents: input.documents
  }
  const eligibility = evaluateEligibility(input.gates, {
    callYear: input.call.year,
    foundedOn: input.enterprise.foundedOn,
    tierCode: snapshot.declaration.tierCode,
    operatingRevenue: snapshot.declaration.operatingRevenue,
    rdExpense: snapshot.declaration.rdExpense
  })
  return {
    snapshot,
    declarationYear: snapshot.declaration.year,
    eligibility,
    autoScores: eligibility.passed ? autoScore(input.rubric, frozenFigures(snapshot)) : null,
    event: eligibility.passed ? 'submit' : 'submit_ineligible'
  }
}

/** A document the call requires every application to attach, named by its key. */
export interface RequiredDocument { key: string, nameZh: string, nameEn: string }

/** The call's required documents that no attached document names in its `kind`, in the call's order. */
export function missingDocuments (required: readonly RequiredDocument[], attached: ReadonlyArray<{ kind?: string | null }>): RequiredDocument[] {
  const kinds = new Set(attached.map(d => d.kind).filter((k): k is string => k != null))
  return required.filter(r => !kinds.has(r.key))
}

export const DAY_MS = 24 * 3600 * 1000

/** Until when a returned application may be resubmitted: `revisionDays` after its return. */
export function revisionDeadline (returnedAt: Date, revisionDays: number): Date {
  return new Date(returnedAt.getTime() + revisionDays * DAY_MS)
}

/**
 * Whether a submit is accepted at `now`: inside the call's window, or — for
 * an application returned for revision — until its revision deadline, even
 * after the call closed. Null when accepted, else the refusal's code.
 */
export function submissionRefusal (
  input: { callOpen: boolean, returned: boolean, revisionDueAt: Date | null, now: Date }
): 'CALL_CLOSED' | 'REVISION_CLOSED' | null {
  if (input.callOpen) return null
  if (!input.returned) return 'CALL_CLOSED'
  if (input.revisionDueAt != null && input.now < input.revisionDueAt) return null
  return 'REVISION_CLOSED'
}
