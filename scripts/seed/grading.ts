/**
 * The seed's grading history (load.ts loads it): calls for the
 * three programs, firms' applications to them, reviewers' reviews, and the
 * admissions that put firms in the pool — each built the way the service
 * would have built it, with the same rules:
 *
 * - an application's life is a walk through the state machine
 *   (server/domain/application-state.ts `transition`), its version one more
 *   per step;
 * - submitting freezes the snapshot, runs the gates and the auto-scored
 *   indicators with `freezeSubmission` (server/domain/submission.ts);
 * - reviewers are chosen conflict-free and balanced by `planAssignment`
 *   (server/domain/assignment.ts), call by call, as `POST /v1/calls/:id/assign`;
 * - judged scores stay inside each indicator's range of the call's rubric,
 *   and a complete round is aggregated by `aggregateScores` (scoring.ts);
 * - an admission creates the pool membership and its public notice.
 *
 * Calls: one per program for the first seeded year (its applications are
 * the pool members' admissions, decided in the second year as before) and
 * for each of the last three years; the latest year's calls are open now,
 * the others closed and decided. Deterministic: the same options (and the
 * same day) give the same history.
 */
import { transition, type ApplicationEvent, type ApplicationState } from '../../server/domain/application-state.ts'
import { planAssignment } from '../../server/domain/assignment.ts'
import { evaluateEligibility, type EligibilityGates } from '../../server/domain/eligibility.ts'
import { fromFen } from '../../server/domain/money.ts'
import type { Rubric } from '../../server/domain/rubrics.ts'
import { aggregateScores, type ApplicationScore } from '../../server/domain/scoring.ts'
import { freezeSubmission, gradedDeclaration, type DeclarationRecord, type Submission } from '../../server/domain/submission.ts'
import type { SyntheticFirm, SyntheticYear } from './industry.ts'
import { pickWeighted } from './random.ts'

/** Programs from the most senior down: a firm applies to the first whose gates it passes. */
export const PROGRAMS = ['leading_platform', 'innovative_growth', 'startup'] as const
export type ProgramCode = typeof PROGRAMS[number]

/** Reviewers per application: what the officer console proposes for a new call. */
export const REVIEWERS_PER_APPLICATION = 3

/** Share of the first year's qualifying firms each program admitted (the pool is about a tenth of the firms). */
const ADMISSION_RATE: Record<ProgramCode, number> = { leading_platform: 0.6, innovative_growth: 0.12, startup: 0.16 }

/**
 * Share of firms outside the pool thinking of applying in a call year: the
 * first year's call, later closed ones, the open one. Most firms pass no
 * program's gates and then rarely apply (TRY_ANY_PROGRAM_RATE).
 */
const APPLY_RATE = { firstCall: 0.05, closedCall: 0.04, openCall: 0.06 }

/** Share of applying firms that pick a program at random rather than one whose gates they pass (some end ineligible). */
const TRY_ANY_PROGRAM_RATE = 0.12

/** Share of applying firms one demo reviewer declares a conflict with. */
const CONFLICT_RATE = 0.05

const DAY = 86_400_000
const BEIJING = 8 * 3_600_000

/** An instant given as a Beijing calendar date and hour. */
const beijing = (year: number, month: number, day: number, hour = 0) => new Date(Date.UTC(year, month - 1, day, hour) - BEIJING)
const later = (at: Date, days: number) => new Date(at.getTime() + days * DAY)

export interface GradingPolicy {
  /** Policy eligibility_gates. */
  gates: EligibilityGates
  /** Each program's current rubric (its latest version). */
  rubrics: Record<string, { id: string, rubric: Rubric }>
  programNames: Record<string, string>
  /** Policy review_disagreement_points and notice_period_days. */
  disagreementPoints: number
  noticePeriodDays: number
  /** The demo officer who opens the calls, assigns and decides. */
  officerId: string
  /** The demo reviewers. */
  reviewerIds: string[]
}

export interface SeedCall {
  id: string
  program: ProgramCode
  year: number
  title: string
  opensAt: Date
  closesAt: Date
  rubricId: string
  /** When a closed call's applications were decided; null for the open call. */
  decidedAt: Date | null
}

type Cell = string | number | null

/** Rows for the bulk load, in the tables' column order (the COLUMNS below). */
export interface FirmGrading {
  applications: Cell[][]
  reviews: Cell[][]
  memberships: Cell[][]
  notices: Cell[][]
  conflicts: Cell[][]
  /** The program of the firm's last admission ('' never admitted): the history treats it as a member from then on. */
  program: string
  /** The program of the firm's live membership today ('' outside the pool, or its term expired), for the analytics rollup. */
  liveProgram: string
}

export const COLUMNS = {
  calls: ['id', 'program_code', 'year', 'title', 'opens_at', 'closes_at', 'reviewers_per_application', 'rubric_id', 'created_by', 'created_at', 'updated_at'],
  applications: [
    'id', 'call_id', 'enterprise_id', 'state', 'version', 'statement', 'return_reason', 'declaration_year', 'snapshot', 'eligibility',
    'auto_scores', 'score', 'decision', 'decision_reason', 'decision_override', 'decided_at', 'decided_by', 'submitted_at', 'created_at', 'updated_at'
  ],
  reviews: ['id', 'application_id', 'reviewer_id', 'round', 'state', 'scores', 'comment', 'version', 'assigned_by', 'assigned_at', 'submitted_at', 'updated_at'],
  memberships: ['id', 'enterprise_id', 'program_code', 'application_id', 'tier_at_admission', 'current_tier', 'admitted_on', 'status', 'valid_from', 'valid_until'],
  notices: ['id', 'membership_id', 'application_id', 'enterprise_id', 'program_code', 'tier_code', 'starts_at', 'ends_at', 'status'],
  conflicts: ['reviewer_id', 'uscc', 'reason', 'source']
} as const

/** How far an application got. `decided` ends admitted or rejected. */
type Outcome = 'draft' | 'withdrawn_draft' | 'submitted' | 'returned' | 'withdrawn' | 'under_review' | 'scored' | 'decided'
/** How a decided application is decided: by its score, or admitted / rejected whatever it scored (with the reason an override needs). */
type Verdict = 'by_score' | 'admit' | 'reject'

interface Story { outcome: Outcome, verdict: Verdict, /** reviewers' judgement, 0..1 of each indicator's maximum */ quality: number }

/** The open call's applications, mostly still in progress. */
const OPEN_CALL_OUTCOMES: ReadonlyArray<readonly [Outcome, number]> = [
  ['draft', 20], ['withdrawn_draft', 4], ['submitted', 22], ['returned', 8], ['withdrawn', 4], ['under_review', 30], ['scored', 12]
]
/** A closed call's applications: nearly all decided. */
const CLOSED_CALL_OUTCOMES: ReadonlyArray<readonly [Outcome, number]> = [['decided', 88], ['returned', 4], ['withdrawn', 6], ['withdrawn_draft', 2]]

const REVIEW_COMMENTS = ['材料完整,指标真实可信。', '核心技术有一定积累,市场拓展仍需加强。', '成长性较好,建议关注研发投入的持续性。', '与重点方向契合度高。', '商业模式清晰,团队经验较丰富。']
const RETURN_REASONS = ['请补充近两年审计报告。', '请补充核心产品的市场占有率数据。', '知识产权证明材料不完整,请补充。']
const OVERRIDE_ADMIT = '评审委员会综合考虑企业对产业链的带动作用,同意纳入培育库。'
// The first seeded year has no year before it: growth scores 0 and growth minimums fail, so most first admissions override.
const OVERRIDE_ADMIT_FIRST_CALL = '首批申报:系统内无上一年度申报数据,营业收入增长率无法计分;评审委员会综合评定,同意纳入培育库。'
const OVERRIDE_REJECT = '本批次名额有限,综合排名未进入入库范围。'
const CONFLICT_REASON = '曾为该企业提供技术咨询服务'

/**
 * The calls: each program's call for the first seeded year (closed; it
 * admitted the pool's members) and for each of the last three years, the
 * latest open now. A call of year Y grades declarations up to Y, is open in
 * March and April of Y+1 and decided on 30 June; the open call's window runs
 * from 30 days before today (Beijing) to 60 days after. A closed call whose
 * decision would not be before the open call's opening moves back a year at
 * a time (a seeded range reaching into the future).
 */
export function planCalls (opts: { fromYear: number, toYear: number }, now: Date, policy: GradingPolicy, newId: () => string): SeedCall[] {
  const today = new Date(now.getTime() + BEIJING)
  const openFrom = later(beijing(today.getUTCFullYear(), today.getUTCMonth() + 1, today.getUTCDate()), -30)
  const years = new Set<number>()
  if (opts.fromYear < opts.toYear) years.add(opts.fromYear)
  for (let y = Math.max(opts.fromYear + 1, opts.toYear - 2); y <= opts.toYear; y++) years.add(y)
  const calls: SeedCall[] = []
  for (const year of [...years].sort((a, b) => a - b)) {
    for (const program of PROGRAMS) {
      const rubric = policy.rubrics[program]
      if (rubric == null) throw new Error(`no rubric for ${program}: the migrations install one per program`)
      let window: Pick<SeedCall, 'opensAt' | 'closesAt' | 'decidedAt'>
      if (year === opts.toYear) {
        window = { opensAt: openFrom, closesAt: later(openFrom, 90), decidedAt: null }
      } else {
        let shift = 0
        while (beijing(year + 1 - shift, 6, 30, 10) >= later(openFrom, -1)) shift++
        window = { opensAt: beijing(year + 1 - shift, 3, 1), closesAt: beijing(year + 1 - shift, 5, 1), decidedAt: beijing(year + 1 - shift, 6, 30, 10) }
      }
      calls.push({ id: newId(), program, year, title: `${year} 年度${policy.programNames[program] ?? program}申报`, rubricId: rubric.id, ...window })
    }
  }
  return calls
}

export function callRows (calls: SeedCall[], officerId: string): Cell[][] {
  return calls.map(c => [c.id, c.program, c.year, c.title, c.opensAt.toISOString(), c.closesAt.toISOString(), REVIEWERS_PER_APPLICATION, c.rubricId,
    officerId, later(c.opensAt, -7).toISOString(), later(c.opensAt, -7).toISOString()])
}

const declarationsOf = (f: SyntheticFirm) => [...f.years].map(([year, figures]) => ({ year, figures }))

/** A generated year as the declarations table holds it. */
function declarationRecord (year: number, y: SyntheticYear): DeclarationRecord {
  return {
    id: y.id,
    year,
    tierCode: y.tier,
    version: 1,
    operatingRevenue: fromFen(y.revenueFen),
    softwareRevenue: fromFen(y.softwareFen),
    rdExpense: fromFen(y.rdFen),
    exportRevenue: fromFen(y.exportFen),
    mainBusinessRevenue: fromFen(y.mainFen),
    totalAssets: fromFen(y.assetsFen),
    totalLiabilities: fromFen(y.liabilitiesFen),
    employees: y.employees,
    rdStaff: y.rdStaff,
    patents: y.patents,
    softwareCopyrights: y.copyrights
  }
}

export interface GradingCounts {
  calls: number
  applications: number
  reviews: number
  byState: Partial<Record<ApplicationState, number>>
}

/**
 * Builds each firm's applications as the batches of firms stream past
 * (seedDatabase): whether and where it applies, how far each application
 * got, its reviews and its admission. Keeps only per-call reviewer loads and
 * counts between firms.
 */
export class GradingHistory {
  readonly calls: SeedCall[]
  readonly counts: GradingCounts
  /** Firm 0's application in the open call: what a benchmark reads as its owner. */
  sampleApplicationId: string | null = null
  private readonly firstCalls: SeedCall[]
  private readonly closedCalls: SeedCall[]
  private readonly openCalls: SeedCall[]
  /** Per call: reviewer → assignments so far (the load planAssignment balances). */
  private readonly loads = new Map<string, Map<string, number>>()

  constructor (
    private readonly opts: { fromYear: number, toYear: number },
    private readonly policy: GradingPolicy,
    private readonly random: () => number,
    private readonly newId: () => string,
    private readonly now: Date
  ) {
    this.calls = planCalls(opts, now, policy, newId)
    this.firstCalls = opts.fromYear < opts.toYear ? this.calls.filter(c => c.year === opts.fromYear) : []
    this.closedCalls = this.calls.filter(c => c.decidedAt != null && c.year !== opts.fromYear)
    this.openCalls = this.calls.filter(c => c.decidedAt == null)
    this.counts = { calls: this.calls.length, applications: 0, reviews: 0, byState: {} }
  }

  /** Whether the declaration a call of `callYear` would grade passes the program's gates (what submitting would find). */
  private passesGates (program: ProgramCode, f: SyntheticFirm, callYear: number): boolean {
    const found = gradedDeclaration(declarationsOf(f), callYear)
    if (found == null) return false
    const { figures } = found.graded
    return evaluateEligibility(this.policy.gates[program] ?? [], {
      callYear, foundedOn: f.foundedOn, tierCode: figures.tier, operatingRevenue: fromFen(figures.revenueFen), rdExpense: fromFen(figures.rdFen)
    }).passed
  }

  /**
   * The program the firm was admitted to by the first year's call, if any:
   * the most senior program whose gates its first-year figures pass, when
   * `roll` falls under that program's admission rate.
   */
  admissionProgram (f: SyntheticFirm, roll: number): ProgramCode | null {
    for (const program of PROGRAMS) {
      if (roll < ADMISSION_RATE[program] && this.passesGates(program, f, this.opts.fromYear)) return program
    }
    return null
  }

  /**
   * The program a firm applies to, or null when it does not apply: the most
   * senior program whose gates it passes; now and then (or when it passes
   * none) one picked at random, which it may well fail at submit.
   */
  private chooseProgram (f: SyntheticFirm, callYear: number, except: string): ProgramCode | null {
    const open = PROGRAMS.filter(p => p !== except)
    if (this.random() < TRY_ANY_PROGRAM_RATE) return open[Math.floor(this.random() * open.length)]
    return open.find(p => this.passesGates(p, f, callYear)) ?? null
  }

  /**
   * Everything the firm did in the calls. `admittedTo`: the program its
   * first-year application was admitted to (seedDatabase's pool draw). A firm
   * in the pool applies no more, except firm 0, which always has an
   * application in an open call (under review, or ineligible).
   */
  firm (f: SyntheticFirm, admittedTo: ProgramCode | null): FirmGrading {
    const g = this.random
    const out: FirmGrading = { applications: [], reviews: [], memberships: [], notices: [], conflicts: [], program: '', liveProgram: '' }
    let conflicted: string | null = null
    const apply = (program: ProgramCode, calls: SeedCall[], story: Story) => {
      // Some applicants have a reviewer who declares a conflict with them (before any assignment).
      if (conflicted == null && g() < CONFLICT_RATE) {
        conflicted = this.policy.reviewerIds[Math.floor(g() * this.policy.reviewerIds.length)]
        out.conflicts.push([conflicted, f.uscc, CONFLICT_REASON, 'declared'])
      }
      return this.application(f, calls.find(c => c.program === program)!, story, conflicted, out)
    }

    if (admittedTo != null && this.firstCalls.length > 0) {
      apply(admittedTo, this.firstCalls, { outcome: 'decided', verdict: 'admit', quality: 0.7 + 0.3 * g() })
    } else if (admittedTo != null) {
      // A one-year range has no closed first call: the member keeps no application.
      this.admit(f, admittedTo, null, f.years.get(this.opts.fromYear)!.tier, beijing(this.opts.fromYear + 1, 6, 30, 10), out)
    } else if (this.firstCalls.length > 0 && f.years.has(this.opts.fromYear) && g() < APPLY_RATE.firstCall) {
      // Applied and missed the draw: rejected on the ranking, whatever the score.
      const program = this.chooseProgram(f, this.opts.fromYear, '')
      if (program != null) apply(program, this.firstCalls, { outcome: pickWeighted(g(), CLOSED_CALL_OUTCOMES), verdict: 'reject', quality: 0.3 + 0.35 * g() })
    }
    for (const year of new Set(this.closedCalls.map(c => c.year))) {
      if (out.program !== '' || !f.years.has(year) || g() >= APPLY_RATE.closedCall) continue
      const program = this.chooseProgram(f, year, '')
      if (program != null) apply(program, this.closedCalls.filter(c => c.year === year), { outcome: pickWeighted(g(), CLOSED_CALL_OUTCOMES), verdict: 'by_score', quality: 0.4 + 0.55 * g() })
    }
    if (this.openCalls.length === 0) return out
    const firmZero = f.index === 0
    if (firmZero || (out.program === '' && f.years.has(this.opts.toYear) && g() < APPLY_RATE.openCall)) {
      const program = this.chooseProgram(f, this.opts.toYear, out.program) ?? (firmZero ? PROGRAMS.find(p => p !== out.program)! : null)
      if (program == null) return out
      const id = apply(program, this.openCalls, { outcome: firmZero ? 'under_review' : pickWeighted(g(), OPEN_CALL_OUTCOMES), verdict: 'by_score', quality: 0.4 + 0.55 * g() })
      if (firmZero) this.sampleApplicationId = id
    }
    return out
  }

  /** One application, walked through the state machine to its outcome; returns its id. */
  private application (f: SyntheticFirm, call: SeedCall, story: Story, conflicted: string | null, out: FirmGrading): string {
    const g = this.random
    const id = this.newId()
    const { rubric } = this.policy.rubrics[call.program]
    const open = call.decidedAt == null
    // When things happened: inside the window for the applicant, after it closed for a closed call's reviews.
    const createdAt = later(call.opensAt, g() * (open ? 10 : 40))
    const submittedAt = later(createdAt, 1 + g() * (open ? 4 : 15))
    const assignedAt = open ? later(submittedAt, 1 + g() * 4) : later(call.closesAt, 3)
    const reviewDays = open ? 5 : 25

    let state: ApplicationState = 'draft'
    let version = 1
    let updatedAt = createdAt
    const step = (event: ApplicationEvent, at: Date) => { state = transition(state, event); version++; updatedAt = at }
    const row = {
      returnReason: null as string | null,
      submission: null as Submission | null,
      score: null as ApplicationScore | null,
      decision: null as 'admit' | 'reject' | null,
      decisionReason: null as string | null,
      decisionOverride: null as { pass: boolean, total: string, decision: string } | null
    }

    const found = gradedDeclaration(declarationsOf(f), call.year)
    let outcome = story.outcome
    if (found == null && outcome !== 'withdrawn_draft') outcome = 'draft' // nothing to submit yet: DECLARATION_REQUIRED
    if (outcome === 'withdrawn_draft') step('withdraw', later(createdAt, 2))
    else if (outcome !== 'draft' && found != null) {
      const submission = freezeSubmission({
        now: submittedAt,
        call: { id: call.id, program: call.program, year: call.year, rubricId: call.rubricId },
        enterprise: { id: f.id, uscc: f.uscc, name: f.name, districtCode: f.district, foundedOn: f.foundedOn, domains: f.domains },
        declaration: declarationRecord(found.graded.year, found.graded.figures),
        previousDeclaration: found.previous == null ? null : declarationRecord(found.previous.year, found.previous.figures),
        documents: [],
        gates: this.policy.gates[call.program] ?? [],
        rubric
      })
      row.submission = submission
      if (story.verdict === 'admit' && !submission.eligibility.passed) throw new Error(`firm ${f.index} was drawn for ${call.program} but fails its gates`)
      step(submission.event, submittedAt)
      if (submission.event === 'submit_ineligible') {
        if (outcome === 'withdrawn' || (!open && g() < 0.3)) step('withdraw', later(submittedAt, 3))
      } else if (outcome === 'withdrawn') {
        step('withdraw', later(submittedAt, 3 + g() * 5))
      } else if (outcome === 'returned') {
        row.returnReason = RETURN_REASONS[Math.floor(g() * RETURN_REASONS.length)]
        step('return', later(submittedAt, 2 + g() * 3))
      } else if (outcome !== 'submitted') {
        const reviews = this.review(f, call, rubric, id, story.quality, outcome === 'under_review', conflicted, assignedAt, reviewDays, out)
        step('assign', assignedAt)
        if (outcome !== 'under_review') {
          const submitted = reviews.filter(r => r.submittedAt != null)
          row.score = aggregateScores(rubric, submission.autoScores!, submitted, this.policy.disagreementPoints)
          step('score', new Date(Math.max(...submitted.map(r => r.submittedAt!.getTime()))))
        }
        if (outcome === 'decided') {
          const pass = row.score!.pass
          const decision = story.verdict === 'by_score' ? (pass ? 'admit' : 'reject') : story.verdict
          row.decision = decision
          // Going against the rubric needs a reason and is flagged, as POST /v1/applications/:id/decision demands.
          if ((decision === 'admit') !== pass) {
            row.decisionReason = decision === 'reject' ? OVERRIDE_REJECT : call.year === this.opts.fromYear ? OVERRIDE_ADMIT_FIRST_CALL : OVERRIDE_ADMIT
            row.decisionOverride = { pass, total: row.score!.total, decision }
          }
          step(decision, call.decidedAt!)
          if (decision === 'admit') this.admit(f, call.program, id, submission.snapshot.declaration.tierCode, call.decidedAt!, out)
        }
      }
    }

    const s = row.submission
    const json = (v: unknown) => v == null ? null : JSON.stringify(v)
    out.applications.push([
      id, call.id, f.id, state, version, `${f.name}申请${this.policy.programNames[call.program] ?? call.program}。`, row.returnReason,
      s?.declarationYear ?? null, json(s?.snapshot), json(s?.eligibility), json(s?.autoScores), json(row.score),
      row.decision, row.decisionReason, json(row.decisionOverride),
      row.decision == null ? null : call.decidedAt!.toISOString(), row.decision == null ? null : this.policy.officerId,
      s == null ? null : submittedAt.toISOString(), createdAt.toISOString(), updatedAt.toISOString()
    ])
    this.counts.applications++
    this.counts.byState[state] = (this.counts.byState[state] ?? 0) + 1
    return id
  }

  /**
   * The application's reviewers (planAssignment: conflict-free, the call's
   * loads balanced) and their reviews: all submitted, or for one still under
   * review some submitted and the rest assigned or saved as a draft. Judged
   * scores inside each indicator's range, in half points.
   */
  private review (f: SyntheticFirm, call: SeedCall, rubric: Rubric, applicationId: string, quality: number, inProgress: boolean,
    conflicted: string | null, assignedAt: Date, reviewDays: number, out: FirmGrading): Array<{ reviewerId: string, scores: Record<string, number>, submittedAt: Date | null }> {
    const g = this.random
    const loads = this.loads.get(call.id) ?? new Map<string, number>()
    this.loads.set(call.id, loads)
    const plan = planAssignment(
      [{ id: applicationId, uscc: f.uscc, needed: REVIEWERS_PER_APPLICATION }],
      this.policy.reviewerIds.map(id => ({ id, conflicts: id === conflicted ? [f.uscc] : [], load: loads.get(id) ?? 0 }))
    )
    if (plan.short.length > 0) throw new Error(`not enough demo reviewers without a conflict for ${f.uscc}`)
    const judged = rubric.indicators.filter(i => i.kind === 'judged')
    const done = inProgress ? Math.floor(g() * REVIEWERS_PER_APPLICATION) : REVIEWERS_PER_APPLICATION
    return plan.assignments.map(({ reviewerId }, i) => {
      loads.set(reviewerId, (loads.get(reviewerId) ?? 0) + 1)
      const scored = (ind: typeof judged[number]) => Math.min(ind.max, Math.max(0, Math.round((quality + 0.2 * (g() - 0.5)) * ind.max * 2) / 2))
      let state: 'assigned' | 'draft' | 'submitted' = 'submitted'
      if (i >= done) state = g() < 0.5 ? 'draft' : 'assigned'
      const scores = Object.fromEntries((state === 'draft' ? judged.slice(0, Math.ceil(judged.length / 2)) : state === 'assigned' ? [] : judged).map(ind => [ind.key, scored(ind)]))
      const savedAt = later(assignedAt, 1 + g() * (reviewDays - 1))
      const submittedAt = state === 'submitted' ? savedAt : null
      // Versions as the service counts them: assigned 1, a saved draft 2, saved then submitted 3.
      const version = state === 'assigned' ? 1 : state === 'draft' ? 2 : 3
      out.reviews.push([this.newId(), applicationId, reviewerId, 1, state, JSON.stringify(scores),
        state === 'submitted' ? REVIEW_COMMENTS[Math.floor(g() * REVIEW_COMMENTS.length)] : '', version, this.policy.officerId,
        assignedAt.toISOString(), submittedAt?.toISOString() ?? null, (state === 'assigned' ? assignedAt : savedAt).toISOString()])
      this.counts.reviews++
      return { reviewerId, scores, submittedAt }
    })
  }

  /** Admission: a pool membership and its public notice (still running if the notice period has not ended). */
  private admit (f: SyntheticFirm, program: ProgramCode, applicationId: string | null, tier: string, decidedAt: Date, out: FirmGrading): void {
    const membershipId = this.newId()
    const endsAt = later(decidedAt, this.policy.noticePeriodDays)
    const underNotice = endsAt > this.now && applicationId != null
    // The bulk load runs without triggers: the term (three years from admission, the default policy) is written here.
    const admittedOn = decidedAt.toISOString().slice(0, 10)
    const until = new Date(Date.UTC(decidedAt.getUTCFullYear() + 3, decidedAt.getUTCMonth(), decidedAt.getUTCDate()) - 86_400_000).toISOString().slice(0, 10)
    // A term that ended before today without a re-review has expired, as the service's chores would have
    // recorded it (seeded history writes no audit entries or notifications); the firm is then outside the pool.
    const status = underNotice ? 'notice' : until < this.now.toISOString().slice(0, 10) ? 'expired' : 'active'
    out.memberships.push([membershipId, f.id, program, applicationId, tier, tier, admittedOn, status, admittedOn, until])
    if (applicationId != null) {
      out.notices.push([this.newId(), membershipId, applicationId, f.id, program, tier, decidedAt.toISOString(), endsAt.toISOString(), underNotice ? 'open' : 'closed'])
    }
    out.program = program
    // The rollup's program is the firm's live membership's (notice, active or warned).
    out.liveProgram = status === 'expired' ? '' : program
  }
}
