import { and, eq, gt, lte, ne, sql, type AnyColumn, type Placeholder, type SQL } from 'drizzle-orm'
import { applications, calls, documents, enterprises, fundAwards, reviewerConflicts, reviews, users, ROLES, type Role } from '../../db/schema/index.ts'

/**
 * Access: who the caller is and what they may see. The one place for it.
 *
 * - Which roles may call a route is declared on the route itself
 *   (`config: { roles: [...] }`) and checked by the authenticated scope's one
 *   onRequest hook (server/plugins/auth.ts), before the body is even read.
 * - Which objects a caller may see is decided here, as conditions on the
 *   object's table; services apply them to every read, list and change, so a
 *   hidden object and a missing one answer the same 404.
 *
 * The rules are SQL conditions (drizzle expressions), not queries: this
 * module opens no connection and knows no driver. docs/domain.md describes
 * them in prose.
 */

/** The signed-in caller, checked against the database on every request. */
export interface Principal { id: string, role: Role, enterpriseId: string | null, jti: string, exp: number }
/** What the visibility rules read of a caller. */
export type Viewer = Pick<Principal, 'id' | 'role' | 'enterpriseId'>

export type { Role }
/** Every role: a route any signed-in caller may use declares `roles: SIGNED_IN`. */
export const SIGNED_IN: readonly Role[] = ROLES
/** Staff who see every firm, application and document: officers and administrators. */
export const seesEverything = (viewer: Pick<Viewer, 'role'>): boolean => viewer.role === 'officer' || viewer.role === 'admin'

/** The firm's own account, and only it, may change its profile, declarations, applications and documents. */
export const isOwner = (viewer: Pick<Viewer, 'role' | 'enterpriseId'>, enterpriseId: string): boolean =>
  viewer.role === 'enterprise' && viewer.enterpriseId === enterpriseId

const FALSE = sql`false`

// ---------------------------------------------------------------------------
// Conflicts of interest: a reviewer never sees, lists or grades anything of a
// firm whose credit code they declared, recused from, or that employs them.

/** True when `reviewerId` has a conflict with the firm whose credit code is `uscc`. */
export function conflictedSql (reviewerId: string | SQL | Placeholder, uscc: SQL | AnyColumn): SQL {
  return sql`(exists (select 1 from ${reviewerConflicts} rc where rc.reviewer_id = ${reviewerId} and rc.uscc = ${uscc})
    or exists (select 1 from ${users} ru where ru.id = ${reviewerId} and ru.employer_uscc = ${uscc}))`
}

const firmUsccOf = (enterpriseId: SQL | AnyColumn): SQL => sql`(select e.uscc from ${enterprises} e where e.id = ${enterpriseId})`

/** On `applications`: the reviewer is assigned to it (any round, neither recused nor replaced) and has no conflict with its firm. */
export function reviewerSeesApplicationSql (reviewerId: string | Placeholder, applicationId: SQL | AnyColumn = applications.id,
  enterpriseId: SQL | AnyColumn = applications.enterpriseId): SQL {
  return sql`(exists (select 1 from ${reviews} rv where rv.application_id = ${applicationId} and rv.reviewer_id = ${reviewerId} and rv.state not in ('recused', 'reassigned'))
    and not ${conflictedSql(reviewerId, firmUsccOf(enterpriseId))})`
}

/** On `enterprises`: the reviewer grades an application of this firm and has no conflict with it. */
export function reviewerSeesEnterpriseSql (reviewerId: string, enterpriseId: SQL | AnyColumn = enterprises.id): SQL {
  return sql`(exists (select 1 from ${reviews} rv join ${applications} ap on ap.id = rv.application_id
      where ap.enterprise_id = ${enterpriseId} and rv.reviewer_id = ${reviewerId} and rv.state not in ('recused', 'reassigned'))
    and not ${conflictedSql(reviewerId, firmUsccOf(enterpriseId))})`
}

/**
 * On `enterprises` (by id): the firm is in the district of the district
 * officer `userId`. The district is read from the officer's account, so an
 * administrator's change applies at once (and ends the officer's tokens).
 */
export function districtSeesEnterpriseSql (userId: string | Placeholder, enterpriseId: SQL | AnyColumn = enterprises.id): SQL {
  return sql`exists (select 1 from ${enterprises} de join ${users} du on du.district_code = de.district_code
    where de.id = ${enterpriseId} and du.id = ${userId} and du.role = 'district_officer')`
}

// ---------------------------------------------------------------------------
// Visibility per object. `undefined` means every row.

/**
 * Applications. Enterprises: their own firm's. Officers and admins: all.
 * Reviewers: the ones assigned to them whose firm they have no conflict
 * with. District officers: those of the firms of their district. Analysts:
 * none (they see aggregates only). The viewer's ids may be placeholders of a
 * prepared statement.
 */
export function applicationVisibilityFor (
  role: Role, enterpriseId: string | Placeholder | AnyColumn | SQL.Aliased | null, userId: string | Placeholder
): SQL | undefined {
  switch (role) {
    case 'officer':
    case 'admin':
      return undefined
    case 'enterprise':
      return enterpriseId == null ? FALSE : eq(applications.enterpriseId, enterpriseId)
    case 'reviewer':
      return reviewerSeesApplicationSql(userId)
    case 'district_officer':
      return districtSeesEnterpriseSql(userId, applications.enterpriseId)
    default:
      return FALSE
  }
}
export const applicationVisibility = (viewer: Viewer): SQL | undefined => applicationVisibilityFor(viewer.role, viewer.enterpriseId, viewer.id)

/**
 * Enterprises (profile) and, by the same rule, their declarations. Officers
 * and admins: all; a firm: itself; a reviewer: a firm whose application they
 * grade, unless conflicted; a district officer: the firms of its district.
 * Analysts: none.
 */
export function enterpriseVisibility (viewer: Viewer, enterpriseId: SQL | AnyColumn = enterprises.id): SQL | undefined {
  switch (viewer.role) {
    case 'officer':
    case 'admin':
      return undefined
    case 'enterprise':
      return viewer.enterpriseId == null ? FALSE : sql`${enterpriseId} = ${viewer.enterpriseId}`
    case 'reviewer':
      return reviewerSeesEnterpriseSql(viewer.id, enterpriseId)
    case 'district_officer':
      return districtSeesEnterpriseSql(viewer.id, enterpriseId)
    default:
      return FALSE
  }
}

/**
 * Documents: an application's follow the application's visibility; a
 * declaration's follow the firm's (so a reviewer sees the evidence of a firm
 * they grade).
 */
export function documentVisibility (viewer: Viewer): SQL | undefined {
  if (seesEverything(viewer)) return undefined
  const app = applicationVisibility(viewer) ?? sql`true`
  const firm = enterpriseVisibility(viewer, documents.enterpriseId) ?? sql`true`
  return sql`(case when ${documents.applicationId} is not null
    then exists (select 1 from ${applications} where ${applications.id} = ${documents.applicationId} and ${app})
    else ${firm} end)`
}

/** On `reviews`: the reviewer's own rows on firms they have no conflict with. */
export function ownReviewsSql (reviewerId: string): SQL {
  const firm = sql`(select e.uscc from ${applications} ap join ${enterprises} e on e.id = ap.enterprise_id where ap.id = ${reviews.applicationId})`
  return and(eq(reviews.reviewerId, reviewerId), sql`not ${conflictedSql(reviewerId, firm)}`) as SQL
}

/**
 * Reviews: a reviewer their own (unconflicted), except those they were
 * replaced on (ended `reassigned`); officers all; nobody else any.
 */
export function reviewVisibility (viewer: Viewer): SQL | undefined {
  if (viewer.role === 'reviewer') return and(ownReviewsSql(viewer.id), ne(reviews.state, 'reassigned'))
  if (viewer.role === 'officer') return undefined
  return FALSE
}

/**
 * Support awards and their payments: officers and admins all; a firm its own
 * (every account of the firm); nobody else any.
 */
export function awardVisibility (viewer: Viewer): SQL | undefined {
  if (seesEverything(viewer)) return undefined
  if (viewer.role === 'enterprise' && viewer.enterpriseId != null) return eq(fundAwards.enterpriseId, viewer.enterpriseId)
  return FALSE
}

/** On `calls`: the window is open at `now`. */
export const openCallSql = (now: Date): SQL => and(lte(calls.opensAt, now), gt(calls.closesAt, now)) as SQL

/** Calls: staff see all; an enterprise the calls open now and any call it applied to. */
export function callVisibility (viewer: Viewer, now: Date): SQL | undefined {
  if (viewer.role !== 'enterprise') return undefined
  return sql`(${openCallSql(now)} or exists (select 1 from ${applications} where ${applications.callId} = ${calls.id} and ${applications.enterpriseId} = ${viewer.enterpriseId}))`
}
