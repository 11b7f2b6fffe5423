import { errors } from './errors.ts'

/**
 * A pool membership's life, as data (dynamic management, 动态管理; see
 * docs/pool.md):
 *
 *   notice → active ⇄ warned → exited | expired | graduated | revoked
 *
 * - `notice`: admitted, under public notice (公示); `activate` when the period
 *   ends without an upheld objection, `uphold_objection` reverses it.
 * - `renew`: the member passed its re-review (复核), for a new term or back
 *   from a warning.
 * - `warn`: the member did not pass a re-review once (no declaration, or it
 *   failed its program's gates); `exit` when it failed too often in a row.
 * - `graduate`: the member outgrew its program and moves to the next one on
 *   the path (a new membership there; this one ends as `graduated`).
 * - `expire`: the term ended without a passed re-review.
 * - `revoke`: an officer removes the firm (falsified data, serious incidents).
 * - `retier`: only the current tier changes (promotion, demotion).
 *
 * `expired`, `exited`, `graduated` and `revoked` are final.
 */
export const MEMBERSHIP_STATES = ['notice', 'active', 'warned', 'expired', 'exited', 'revoked', 'graduated'] as const
export type MembershipState = typeof MEMBERSHIP_STATES[number]

export const MEMBERSHIP_EVENTS = ['activate', 'uphold_objection', 'renew', 'warn', 'exit', 'graduate', 'expire', 'revoke', 'retier'] as const
export type MembershipEvent = typeof MEMBERSHIP_EVENTS[number]

export const MEMBERSHIP_TRANSITIONS: Readonly<Record<MembershipState, Readonly<Partial<Record<MembershipEvent, MembershipState>>>>> = {
  notice: { activate: 'active', uphold_objection: 'revoked', revoke: 'revoked' },
  active: { renew: 'active', warn: 'warned', exit: 'exited', graduate: 'graduated', expire: 'expired', revoke: 'revoked', retier: 'active' },
  warned: { renew: 'active', warn: 'warned', exit: 'exited', graduate: 'graduated', expire: 'expired', revoke: 'revoked', retier: 'warned' },
  expired: {},
  exited: {},
  revoked: {},
  graduated: {}
}

/** A new admission starts under public notice; a membership created by graduation starts active (the firm was already vetted). */
export const ADMITTED_STATE: MembershipState = 'notice'
export const GRADUATED_INTO_STATE: MembershipState = 'active'

/** Members that hold a place in the pool (counted, re-evaluated, block a second admission to the program). */
export const LIVE_MEMBERSHIP_STATES: readonly MembershipState[] = ['notice', 'active', 'warned']
/** Members that a re-evaluation looks at (the ones under notice were just admitted on current figures). */
export const REVIEWED_MEMBERSHIP_STATES = ['active', 'warned'] as const
export type ReviewedMembershipState = typeof REVIEWED_MEMBERSHIP_STATES[number]

export function nextMembershipState (state: MembershipState, event: MembershipEvent): MembershipState | null {
  return MEMBERSHIP_TRANSITIONS[state]?.[event] ?? null
}

/** The next state; 409 INVALID_STATE when the state forbids the event. */
export function membershipTransition (state: MembershipState, event: MembershipEvent): MembershipState {
  const next = nextMembershipState(state, event)
  if (next == null) throw errors.invalidState(state, `a pool membership in state ${state} cannot ${event.replace('_', ' ')}`)
  return next
}

export function isMembershipState (value: string): value is MembershipState {
  return (MEMBERSHIP_STATES as readonly string[]).includes(value)
}

export const isLiveMembership = (state: string): boolean => (LIVE_MEMBERSHIP_STATES as readonly string[]).includes(state)

/** YYYY-MM-DD + whole years − 1 day: the last day of a term that starts on `from`. */
export function termEnd (from: string, years: number): string {
  const d = new Date(`${from}T00:00:00Z`)
  d.setUTCFullYear(d.getUTCFullYear() + years)
  d.setUTCDate(d.getUTCDate() - 1)
  return d.toISOString().slice(0, 10)
}

/** YYYY-MM-DD + whole years (the day a bar of `years` ends). */
export function addYears (from: string, years: number): string {
  const d = new Date(`${from}T00:00:00Z`)
  d.setUTCFullYear(d.getUTCFullYear() + years)
  return d.toISOString().slice(0, 10)
}

/** Every change a firm is told about: a re-evaluation's kinds, and admission, activation and revocation. */
export type MembershipNews = 'renewed' | 'warned' | 'exited' | 'graduated' | 'expired' | 'promoted' | 'demoted' | 'admitted' | 'activated' | 'revoked'

/** What the firm can do after a change, in English and Chinese (the inbox shows it beside the reason). */
export function membershipAdvice (kind: MembershipNews, p: { validUntil?: string | null, appealBy?: string, barredUntil?: string | null } = {}): [string,
  string] {
  switch (kind) {
    case 'renewed':
    case 'activated':
    case 'promoted':
      return [`Nothing to do: the membership is valid until ${p.validUntil ?? '—'}; keep declaring each year's figures`,
        `无需操作:资格有效期至 ${p.validUntil ?? '—'};请按年度填报经营数据`]
    case 'demoted':
      return ['Nothing to do now; the membership continues while the firm passes its program\'s gates', '暂无需操作;满足所在计划条件即可继续保留资格']
    case 'warned':
      return ['Declare the year\'s figures (or correct them) so the next re-review passes; another failure in a row ends the membership',
        '请填报(或更正)年度经营数据,确保下次复核通过;继续未通过将退出培育库']
    case 'exited':
    case 'expired':
      return ['The firm may apply again to a later call of a program whose conditions it meets', '企业满足条件后可申报后续批次']
    case 'graduated':
      return [`The firm continues in its new program until ${p.validUntil ?? '—'}`, `企业转入新计划继续培育,有效期至 ${p.validUntil ?? '—'}`]
    case 'admitted':
      return ['The admission is under public notice; it becomes active when the period ends without an upheld objection',
        '入库决定正在公示;公示期满无成立异议即正式生效']
    case 'revoked':
      return [
        `The firm may appeal in writing to the commission until ${p.appealBy ?? '—'}` + (p.barredUntil != null ? `; it may not apply to any call before ${p.barredUntil}` : ''),
        `企业可于 ${p.appealBy ?? '—'} 前向主管部门提出书面申诉` + (p.barredUntil != null ? `;${p.barredUntil} 前不得申报任何批次` : '')
      ]
  }
}
