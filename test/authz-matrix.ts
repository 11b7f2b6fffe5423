/**
 * The authorization matrix: every route × every actor and what must happen
 * (docs/api.md; ownership rules in docs/domain.md). Generated tests read it in
 * test/authz-matrix.test.ts; a route published in /docs/json without a row
 * here fails the suite.
 *
 * - `allow`: the actor gets past authorization (a 2xx, or a 4xx about the
 *   input or the object's state — never 401, 403 or 404 for a visible object)
 * - `hidden`: 404, byte-identical to the answer for an object that does not exist
 * - `401`: not signed in; `403`: this role may never use the endpoint
 *
 * Actors: `enterprise` owns the fixture objects (its enterprise, declaration,
 * application); `otherEnterprise` is another firm; `reviewer` is assigned to
 * the fixture application; `conflictedReviewer` declared a conflict with the
 * firm. `districtOfficer` is the district officer of the firm's district,
 * `otherDistrictOfficer` of another district: their cells follow
 * {@link districtCells} unless a row names them.
 */
export const ACTORS = [
  'anonymous', 'enterprise', 'otherEnterprise', 'reviewer', 'conflictedReviewer', 'officer', 'analyst', 'admin', 'districtOfficer', 'otherDistrictOfficer'
] as const
export type Actor = typeof ACTORS[number]
export type Outcome = 'allow' | 'hidden' | 401 | 403
export type Row = Record<Actor, Outcome>
type DistrictActor = 'districtOfficer' | 'otherDistrictOfficer'
type BaseRow = Omit<Row, DistrictActor> & Partial<Pick<Row, DistrictActor>>

/**
 * The district officers' cells where a row does not name them: a route every
 * other role may use (public, or any signed-in caller) they may use too;
 * every other route is 403 unless the row says otherwise (the few routes a
 * district officer is declared on name both cells).
 */
function districtCells (row: BaseRow): Row {
  const everyone = (['enterprise', 'reviewer', 'officer', 'analyst', 'admin'] as const).every(a => row[a] === 'allow')
  const fallback: Outcome = everyone ? 'allow' : 403
  return { ...row, districtOfficer: row.districtOfficer ?? fallback, otherDistrictOfficer: row.otherDistrictOfficer ?? fallback }
}

/** Reads a district officer is declared on: its district's object, and 404 for the other district's officer. */
const DISTRICT_READ = { districtOfficer: 'allow', otherDistrictOfficer: 'hidden' } as const
/** Lists a district officer is declared on: each gets its own district's rows. */
const DISTRICT_LIST = { districtOfficer: 'allow', otherDistrictOfficer: 'allow' } as const

const BASE: Record<string, BaseRow> = {
  'GET /health': { anonymous: 'allow', enterprise: 'allow', otherEnterprise: 'allow', reviewer: 'allow', conflictedReviewer: 'allow', officer: 'allow', analyst: 'allow', admin: 'allow' },
  'GET /ready': { anonymous: 'allow', enterprise: 'allow', otherEnterprise: 'allow', reviewer: 'allow', conflictedReviewer: 'allow', officer: 'allow', analyst: 'allow', admin: 'allow' },
  'GET /v1/me': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'allow', reviewer: 'allow', conflictedReviewer: 'allow', officer: 'allow', analyst: 'allow', admin: 'allow' },
  'GET /v1/users': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 'allow' },
  'GET /v1/users/{id}': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 'allow' },
  'GET /v1/reference/tiers': { anonymous: 'allow', enterprise: 'allow', otherEnterprise: 'allow', reviewer: 'allow', conflictedReviewer: 'allow', officer: 'allow', analyst: 'allow', admin: 'allow' },
  'GET /v1/reference/programs': { anonymous: 'allow', enterprise: 'allow', otherEnterprise: 'allow', reviewer: 'allow', conflictedReviewer: 'allow', officer: 'allow', analyst: 'allow', admin: 'allow' },
  'GET /v1/reference/domains': { anonymous: 'allow', enterprise: 'allow', otherEnterprise: 'allow', reviewer: 'allow', conflictedReviewer: 'allow', officer: 'allow', analyst: 'allow', admin: 'allow' },
  'GET /v1/reference/districts': { anonymous: 'allow', enterprise: 'allow', otherEnterprise: 'allow', reviewer: 'allow', conflictedReviewer: 'allow', officer: 'allow', analyst: 'allow', admin: 'allow' },
  'GET /v1/audit': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 'allow' },
  'GET /v1/audit/verify': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 'allow' },
  'GET /v1/rubrics/{id}': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'allow', reviewer: 'allow', conflictedReviewer: 'allow', officer: 'allow', analyst: 'allow', admin: 'allow' },
  'GET /v1/admin/rubrics': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 'allow' },
  'GET /v1/admin/rubrics/{id}': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 'allow' },
  'GET /v1/me/conflicts': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 'allow', conflictedReviewer: 'allow', officer: 403, analyst: 403, admin: 403 },
  'GET /v1/me/notifications': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'allow', reviewer: 'allow', conflictedReviewer: 'allow', officer: 'allow', analyst: 'allow', admin: 'allow' },
  'GET /v1/calls/{id}/progress': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 403 },
  'GET /v1/reviews': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 'allow', conflictedReviewer: 'allow', officer: 403, analyst: 403, admin: 403 },
  'GET /v1/reviews/{id}': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 'allow', conflictedReviewer: 'hidden', officer: 'allow', analyst: 403, admin: 403 },
  'GET /v1/public/notices': { anonymous: 'allow', enterprise: 'allow', otherEnterprise: 'allow', reviewer: 'allow', conflictedReviewer: 'allow', officer: 'allow', analyst: 'allow', admin: 'allow' },
  'GET /notices': { anonymous: 'allow', enterprise: 'allow', otherEnterprise: 'allow', reviewer: 'allow', conflictedReviewer: 'allow', officer: 'allow', analyst: 'allow', admin: 'allow' },
  'POST /notices/{id}/objections': { anonymous: 'allow', enterprise: 'allow', otherEnterprise: 'allow', reviewer: 'allow', conflictedReviewer: 'allow', officer: 'allow', analyst: 'allow', admin: 'allow' },
  'GET /v1/objections': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 403 },
  'GET /v1/analytics/distribution': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 'allow', admin: 'allow' },
  'GET /v1/analytics/trend': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 'allow', admin: 'allow' },
  'GET /v1/analytics/targets': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 'allow', admin: 'allow' },
  'GET /v1/admin/targets': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 'allow' },
  'GET /v1/pool': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 'allow', admin: 'allow' },
  'GET /v1/enterprises': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 'allow', ...DISTRICT_LIST },
  'GET /v1/enterprises/{id}': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'hidden', reviewer: 'allow', conflictedReviewer: 'hidden', officer: 'allow', analyst: 403, admin: 'allow', ...DISTRICT_READ },
  'GET /v1/enterprises/{id}/declarations/{year}': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'hidden', reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 'allow', ...DISTRICT_READ },
  'GET /v1/enterprises/{id}/declarations': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'hidden', reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 'allow', ...DISTRICT_READ },
  'GET /v1/admin/tier-rules': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 'allow' },
  'GET /v1/calls': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'allow', reviewer: 'allow', conflictedReviewer: 'allow', officer: 'allow', analyst: 'allow', admin: 'allow' },
  'GET /v1/calls/{id}': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'allow', reviewer: 'allow', conflictedReviewer: 'allow', officer: 'allow', analyst: 'allow', admin: 'allow' },
  'GET /v1/applications': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'allow', reviewer: 'allow', conflictedReviewer: 'allow', officer: 'allow', analyst: 403, admin: 'allow', ...DISTRICT_LIST },
  'GET /v1/applications/{id}': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'hidden', reviewer: 'allow', conflictedReviewer: 'hidden', officer: 'allow', analyst: 403, admin: 'allow', ...DISTRICT_READ },
  'GET /v1/applications/{id}/history': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'hidden', reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 'allow' },
  'GET /v1/applications/{id}/letter': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'hidden', reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 403 },
  'GET /v1/applications/{id}/documents': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'hidden', reviewer: 'allow', conflictedReviewer: 'hidden', officer: 'allow', analyst: 403, admin: 'allow', ...DISTRICT_READ },
  'GET /v1/enterprises/{id}/declarations/{year}/documents': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'hidden', reviewer: 'allow', conflictedReviewer: 'hidden', officer: 'allow', analyst: 403, admin: 'allow', ...DISTRICT_READ },
  'GET /v1/documents/{id}': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'allow', reviewer: 'allow', conflictedReviewer: 'allow', officer: 'allow', analyst: 403, admin: 'allow', ...DISTRICT_LIST },
  'GET /v1/admin/eligibility-gates': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 'allow' },
  'GET /v1/admin/policy': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 'allow' },
  'PUT /v1/admin/policy/{key}': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 'allow' },
  'POST /v1/auth/register': { anonymous: 'allow', enterprise: 'allow', otherEnterprise: 'allow', reviewer: 'allow', conflictedReviewer: 'allow', officer: 'allow', analyst: 'allow', admin: 'allow' },
  'POST /v1/auth/login': { anonymous: 'allow', enterprise: 'allow', otherEnterprise: 'allow', reviewer: 'allow', conflictedReviewer: 'allow', officer: 'allow', analyst: 'allow', admin: 'allow' },
  'POST /v1/users': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 'allow' },
  'PATCH /v1/users/{id}': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 'allow' },
  'PUT /v1/admin/districts/{code}': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 'allow' },
  'POST /v1/admin/rubrics': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 'allow' },
  'PUT /v1/admin/rubrics/{id}': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 'allow' },
  'POST /v1/me/conflicts': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 'allow', conflictedReviewer: 'allow', officer: 403, analyst: 403, admin: 403 },
  'POST /v1/me/notifications/{id}/read': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'allow', reviewer: 'allow', conflictedReviewer: 'allow', officer: 'allow', analyst: 'allow', admin: 'allow' },
  'POST /v1/applications/{id}/assignments': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 403 },
  'POST /v1/calls/{id}/assign': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 403 },
  'PUT /v1/reviews/{id}': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 'allow', conflictedReviewer: 'hidden', officer: 403, analyst: 403, admin: 403 },
  'POST /v1/reviews/{id}/submit': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 'allow', conflictedReviewer: 'hidden', officer: 403, analyst: 403, admin: 403 },
  'POST /v1/applications/{id}/appeal': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'hidden', reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 403 },
  'POST /v1/public/notices/{id}/objections': { anonymous: 'allow', enterprise: 'allow', otherEnterprise: 'allow', reviewer: 'allow', conflictedReviewer: 'allow', officer: 'allow', analyst: 'allow', admin: 'allow' },
  'POST /v1/objections/{id}/uphold': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 403 },
  'POST /v1/objections/{id}/dismiss': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 403 },
  'PUT /v1/admin/targets': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 'allow' },
  'POST /v1/pool/reevaluate': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 403 },
  'POST /v1/pool/reevaluations': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 403 },
  'GET /v1/pool/reevaluations/{id}': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 403 },
  'POST /v1/pool/reevaluations/{id}/apply': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 403 },
  'POST /v1/pool/admissions': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 403 },
  'POST /v1/pool/memberships/{id}/revoke': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 403 },
  'PATCH /v1/enterprises/{id}': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'hidden', reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 403 },
  'PUT /v1/enterprises/{id}/declarations/{year}': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'hidden', reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 403 },
  'PUT /v1/admin/tier-rules': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 'allow' },
  'POST /v1/admin/tier-rules/recompute': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 'allow' },
  'POST /v1/calls': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 403 },
  'PATCH /v1/calls/{id}': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 403 },
  'POST /v1/applications': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'allow', reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 403 },
  'PATCH /v1/applications/{id}': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'hidden', reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 403 },
  'POST /v1/applications/{id}/submit': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'hidden', reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 403 },
  'POST /v1/applications/{id}/check': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'hidden', reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 403 },
  'POST /v1/applications/{id}/documents': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'hidden', reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 403 },
  'POST /v1/enterprises/{id}/declarations/{year}/documents': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'hidden', reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 403 },
  'PUT /v1/admin/eligibility-gates': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 'allow' },
  'POST /v1/reviews/{id}/reassign': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 403 },
  'PATCH /v1/me': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 'allow', conflictedReviewer: 'allow', officer: 403, analyst: 403, admin: 403 },
  'POST /v1/reviews/{id}/recuse': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 'allow', conflictedReviewer: 'hidden', officer: 403, analyst: 403, admin: 403 },
  'POST /v1/applications/{id}/decision': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 403 },
  'POST /v1/calls/{id}/decisions': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 403 },
  'POST /v1/applications/{id}/return': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 403 },
  'POST /v1/applications/{id}/withdraw': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'hidden', reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 403 },
  'DELETE /v1/documents/{id}': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'allow', reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 403 },
  // People (issue 16): passwords, a firm's colleagues, transfers, the email outbox.
  'POST /v1/auth/password-reset': { anonymous: 'allow', enterprise: 'allow', otherEnterprise: 'allow', reviewer: 'allow', conflictedReviewer: 'allow', officer: 'allow', analyst: 'allow', admin: 'allow' },
  'POST /v1/auth/confirm': { anonymous: 'allow', enterprise: 'allow', otherEnterprise: 'allow', reviewer: 'allow', conflictedReviewer: 'allow', officer: 'allow', analyst: 'allow', admin: 'allow' },
  'POST /v1/auth/password-reset/confirm': { anonymous: 'allow', enterprise: 'allow', otherEnterprise: 'allow', reviewer: 'allow', conflictedReviewer: 'allow', officer: 'allow', analyst: 'allow', admin: 'allow' },
  'POST /v1/me/password': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'allow', reviewer: 'allow', conflictedReviewer: 'allow', officer: 'allow', analyst: 'allow', admin: 'allow' },
  'GET /v1/enterprises/{id}/users': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'hidden', reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 'allow' },
  'POST /v1/enterprises/{id}/users': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'hidden', reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 403 },
  'PATCH /v1/enterprises/{id}/users/{userId}': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'hidden', reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 403 },
  'POST /v1/enterprises/{id}/transfer': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 403 },
  'GET /v1/admin/outbox': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 'allow' },
  'POST /v1/admin/simulations': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 'allow', admin: 'allow' },
  'GET /v1/admin/simulations': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 'allow', admin: 'allow' },
  'GET /v1/admin/simulations/{id}': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 'allow', admin: 'allow' },
  'POST /v1/admin/simulations/{id}/adopt': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 'allow' },
  'POST /v1/auth/logout': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'allow', reviewer: 'allow', conflictedReviewer: 'allow', officer: 'allow', analyst: 'allow', admin: 'allow' },
  // Support funds (issue 15)
  'POST /v1/funds': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 'allow' },
  'GET /v1/funds': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 'allow' },
  'GET /v1/funds/{id}': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 'allow' },
  'GET /v1/funds/{id}/awards': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 'allow' },
  'POST /v1/funds/{id}/awards': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 'allow' },
  'GET /v1/awards/{id}': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'hidden', reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 'allow' },
  'POST /v1/awards/{id}/payments': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 'allow' },
  'POST /v1/awards/{id}/cancel': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 'allow' },
  'GET /v1/enterprises/{id}/awards': { anonymous: 401, enterprise: 'allow', otherEnterprise: 'hidden', reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 403, admin: 'allow' },
  'GET /v1/analytics/funds': { anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 'allow', analyst: 'allow', admin: 'allow' },
  // Districts (issue 15): the pre-screen and its queue are the district officers' own.
  'GET /v1/district-review/queue': {
    anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 403, ...DISTRICT_LIST
  },
  'POST /v1/applications/{id}/district-review': {
    anonymous: 401, enterprise: 403, otherEnterprise: 403, reviewer: 403, conflictedReviewer: 403, officer: 403, analyst: 403, admin: 403, ...DISTRICT_READ
  }
}

export const MATRIX: Record<string, Row> = Object.fromEntries(Object.entries(BASE).map(([route, row]) => [route, districtCells(row)]))

/**
 * Cells where the service differs from the API contract (docs/api.md) today, with the row above
 * holding the contract's answer. Reported as TODO (not a failure) until the
 * route's owner settles it; remove the entry when it is fixed.
 */
export const DISCREPANCIES: Record<string, string> = {
  // 'GET /v1/reviews/{id} admin' was one until the reviews route was aligned with the API contract (ed85479).
}
