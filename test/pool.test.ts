import t from 'tap'
import { and, eq, inArray } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { buildTestApp, createStaff, registerFirm, auth, type Firm } from './helper.ts'
import { declarations, poolMemberships, auditLog, poolEvaluations, notifications, publicNotices, poolReevaluations } from '../db/schema/index.ts'
import { verifyAuditChain } from '../server/lib/audit.ts'
import { expireMemberships } from '../server/services/pool.ts'
import { activateExpiredNotices } from '../server/services/notices.ts'

// The pool's life through the API: preview, apply, stale previews, renewal,
// warnings, exits, graduation, expiry, direct admission, revocation and the
// bar, and what each firm is told. Dates are relative to today's year, so the
// file means the same on any day: Y is last year, the year re-evaluated.
t.setTimeout(600_000)

// One app (and database) for the file, built once: the re-evaluation test
// runs first and counts the whole pool; the later ones use their own firms.
const app = await buildTestApp(t)

const Y = new Date().getUTCFullYear() - 1
const OK = { tierCode: 'above_scale', operatingRevenue: '30000000.00', rdExpense: '1500000.00' } // 5% R&D: passes innovative_growth
const LOW_RD = { tierCode: 'above_scale', operatingRevenue: '100000000.00', rdExpense: '2990000.00' } // 2.99%

async function declare (app: FastifyInstance, enterpriseId: string, year: number, d: { tierCode: string, operatingRevenue: string, rdExpense: string }) {
  await app.db.insert(declarations).values({ enterpriseId, year, ...d, softwareRevenue: d.operatingRevenue, employees: 10, rdStaff: 1 })
}
async function join (app: FastifyInstance, enterpriseId: string, programCode: string, currentTier: string, status: string,
  over: Partial<typeof poolMemberships.$inferInsert> = {}) {
  const [m] = await app.db.insert(poolMemberships).values({
    enterpriseId, programCode, tierAtAdmission: currentTier, currentTier, admittedOn: `${Y - 2}-06-01`, status, validUntil: `${Y + 3}-05-31`, ...over
  }).returning()
  return m.id
}
const rowsOf = async (app: FastifyInstance, ids: string[]) => Object.fromEntries((await app.db.select().from(poolMemberships)
  .where(inArray(poolMemberships.id, ids))).map(x => [x.id, x]))
const inbox = async (app: FastifyInstance, firm: Firm) =>
  (await app.inject({ url: '/v1/me/notifications?limit=100', headers: auth(firm.token) })).json().items.filter((n: any) => n.kind === 'membership_changed').map((n: any) => n.payload)

t.test('re-evaluation: preview changes nothing, apply changes exactly that, twice changes nothing, stale previews are refused', async (t) => {
  const officer = await createStaff(app, 'officer')
  const analyst = await createStaff(app, 'analyst')
  const firm = async (foundedOn = '2012-01-01') => await registerFirm(app, { foundedOn })
  const f = {
    renew: await firm(), steady: await firm(), warn: await firm(), exit: await firm(), graduate: await firm(`${Y - 6}-05-01`),
    expire: await firm(), promote: await firm(), notice: await firm(), failing: await firm()
  }
  await declare(app, f.renew.enterpriseId, Y, OK)
  await declare(app, f.steady.enterpriseId, Y, OK)
  await declare(app, f.warn.enterpriseId, Y - 1, OK)
  await declare(app, f.graduate.enterpriseId, Y - 1, OK)
  await declare(app, f.graduate.enterpriseId, Y, OK)
  await declare(app, f.expire.enterpriseId, Y, OK)
  await declare(app, f.promote.enterpriseId, Y, { ...OK, tierCode: 'hundred_million', operatingRevenue: '150000000.00', rdExpense: '7500000.00' })
  await declare(app, f.failing.enterpriseId, Y - 1, OK)
  await declare(app, f.failing.enterpriseId, Y, LOW_RD)
  const m = {
    renew: await join(app, f.renew.enterpriseId, 'innovative_growth', 'above_scale', 'active', { validUntil: `${Y + 1}-12-31` }),
    steady: await join(app, f.steady.enterpriseId, 'innovative_growth', 'above_scale', 'active'),
    warn: await join(app, f.warn.enterpriseId, 'innovative_growth', 'above_scale', 'active'),
    exit: await join(app, f.exit.enterpriseId, 'innovative_growth', 'above_scale', 'warned', { missingYears: 1 }),
    graduate: await join(app, f.graduate.enterpriseId, 'startup', 'above_scale', 'active'),
    expire: await join(app, f.expire.enterpriseId, 'innovative_growth', 'above_scale', 'active', { validUntil: `${Y}-06-30` }),
    promote: await join(app, f.promote.enterpriseId, 'innovative_growth', 'above_scale', 'active'),
    notice: await join(app, f.notice.enterpriseId, 'startup', 'below_scale', 'notice'),
    failing: await join(app, f.failing.enterpriseId, 'innovative_growth', 'above_scale', 'active')
  }
  const ids = Object.values(m)
  const poolView = async () => (await app.inject({ url: '/v1/pool?status=notice,active,warned,expired,exited,graduated,revoked&limit=500', headers: auth(officer.token) })).json()
  const before = await poolView()
  const auditsBefore = (await app.db.select().from(auditLog).where(inArray(auditLog.objectId, ids))).length

  const preview = await app.inject({ method: 'POST', url: '/v1/pool/reevaluations', headers: auth(officer.token), payload: { year: Y } })
  t.equal(preview.statusCode, 201, preview.body)
  const p = preview.json()
  t.equal(p.state, 'previewed')
  t.equal(p.evaluated, 8, 'active and warned members; not the one under notice')
  t.same(p.counts, { renewed: 1, warned: 2, exited: 1, graduated: 1, expired: 1, promoted: 1, demoted: 0 })
  t.equal(p.unchanged, 1, 'the steady member')
  const kinds = Object.fromEntries(p.changes.map((c: any) => [`${c.membershipId}:${c.kind}`, c]))
  t.match(kinds[`${m.renew}:renewed`], { from: 'active', to: 'active', validUntil: `${Y + 3}-12-31`, enterpriseId: f.renew.enterpriseId })
  t.match(kinds[`${m.warn}:warned`], { from: 'active', to: 'warned', reason: new RegExp(`no declaration for ${Y}`) })
  t.match(kinds[`${m.failing}:warned`], { from: 'active', to: 'warned' })
  t.same(kinds[`${m.failing}:warned`].failedGates.map((g: any) => g.gate), ['rd_intensity_at_least'])
  t.match(kinds[`${m.exit}:exited`], { from: 'warned', to: 'exited' })
  t.match(kinds[`${m.graduate}:graduated`], { from: 'startup', to: 'innovative_growth' })
  t.match(kinds[`${m.expire}:expired`], { from: 'active', to: 'expired' })
  t.match(kinds[`${m.promote}:promoted`], { from: 'above_scale', to: 'hundred_million' })
  t.ok(p.changes.every((c: any) => c.reason !== '' && c.reasonZh !== ''), 'every change says why, in both languages')

  t.same(await poolView(), before, 'a preview changes nothing in GET /v1/pool')
  t.equal((await app.db.select().from(auditLog).where(inArray(auditLog.objectId, ids))).length, auditsBefore, 'nor any membership audit')
  t.same(await inbox(app, f.warn), [], 'nor tells anybody')

  // The stored report: JSON, filtered by kind, CSV.
  const read = await app.inject({ url: `/v1/pool/reevaluations/${p.id}`, headers: auth(officer.token) })
  t.same(read.json(), p)
  const onlyWarned = (await app.inject({ url: `/v1/pool/reevaluations/${p.id}?kind=warned,exited`, headers: auth(officer.token) })).json()
  t.same(onlyWarned.changes.map((c: any) => c.kind).sort(), ['exited', 'warned', 'warned'])
  t.same(onlyWarned.counts, p.counts, 'counts stay whole')
  t.equal((await app.inject({ url: `/v1/pool/reevaluations/${p.id}?kind=gone`, headers: auth(officer.token) })).json().code, 'VALIDATION_FAILED')
  const csv = await app.inject({ url: `/v1/pool/reevaluations/${p.id}?format=csv`, headers: auth(officer.token) })
  t.equal(csv.headers['content-type'], 'text/csv; charset=utf-8')
  t.ok(csv.body.startsWith('\uFEFFkind,membershipId,enterpriseId,enterpriseName,program,from,to,validUntil,reason,reasonZh'))
  t.equal(csv.body.trim().split('\r\n').length, 1 + p.changes.length)
  t.equal((await app.inject({ url: `/v1/pool/reevaluations/${p.id}`, headers: auth(analyst.token) })).statusCode, 403)
  t.equal((await app.inject({ url: `/v1/pool/reevaluations/${crypto.randomUUID()}`, headers: auth(officer.token) })).statusCode, 404)

  // A second preview of the same year is allowed; made stale by a new declaration, it is refused.
  const second = (await app.inject({ method: 'POST', url: '/v1/pool/reevaluations', headers: auth(officer.token), payload: { year: Y } })).json()
  t.same(second.counts, p.counts)
  const put = await app.inject({
    method: 'PUT', url: `/v1/enterprises/${f.warn.enterpriseId}/declarations/${Y}`, headers: auth(f.warn.token),
    payload: { operatingRevenue: '30000000.00', softwareRevenue: '30000000.00', rdExpense: '1500000.00', exportRevenue: '0.00', employees: 10, rdStaff: 2, patents: 0, softwareCopyrights: 0 }
  })
  t.equal(put.statusCode, 201, put.body)
  const stale = await app.inject({ method: 'POST', url: `/v1/pool/reevaluations/${second.id}/apply`, headers: auth(officer.token) })
  t.equal(stale.statusCode, 409)
  t.equal(stale.json().code, 'STALE_PREVIEW')
  t.same(await poolView(), before, 'a refused apply changes nothing')
  const [storedSecond] = await app.db.select().from(poolReevaluations).where(eq(poolReevaluations.id, second.id))
  t.equal(storedSecond.state, 'previewed')
  // The first preview rests on the same, now changed, inputs.
  t.equal((await app.inject({ method: 'POST', url: `/v1/pool/reevaluations/${p.id}/apply`, headers: auth(officer.token) })).json().code, 'STALE_PREVIEW')

  // Preview again and apply.
  const fresh = (await app.inject({ method: 'POST', url: '/v1/pool/reevaluations', headers: auth(officer.token), payload: { year: Y } })).json()
  t.same(fresh.counts, { renewed: 1, warned: 1, exited: 1, graduated: 1, expired: 1, promoted: 1, demoted: 0 }, 'the firm that declared is no longer warned')
  t.equal((await app.inject({ method: 'POST', url: `/v1/pool/reevaluations/${fresh.id}/apply`, headers: auth(analyst.token) })).statusCode, 403)
  const applied = await app.inject({ method: 'POST', url: `/v1/pool/reevaluations/${fresh.id}/apply`, headers: auth(officer.token) })
  t.equal(applied.statusCode, 200, applied.body)
  t.equal(applied.json().state, 'applied')
  t.same(applied.json().changes, fresh.changes, 'the report applied is the one previewed')

  const rows = await rowsOf(app, ids)
  t.same([rows[m.renew].status, rows[m.renew].validFrom, rows[m.renew].validUntil, rows[m.renew].lastEvaluatedYear], ['active', `${Y + 1}-01-01`, `${Y + 3}-12-31`, Y])
  t.same([rows[m.steady].status, rows[m.steady].validUntil, rows[m.steady].lastEvaluatedYear], ['active', `${Y + 3}-05-31`, null], 'not listed: not written')
  t.same([rows[m.warn].status, rows[m.warn].lastEvaluatedYear], ['active', null])
  t.same([rows[m.failing].status, rows[m.failing].missingYears], ['warned', 0])
  t.match(rows[m.failing].statusReason, /R&D spending is 2\.99%/)
  t.same([rows[m.exit].status, rows[m.exit].missingYears], ['exited', 2])
  t.equal(rows[m.graduate].status, 'graduated')
  t.equal(rows[m.expire].status, 'expired')
  t.same([rows[m.promote].status, rows[m.promote].currentTier], ['active', 'hundred_million'])
  t.same([rows[m.notice].status, rows[m.notice].lastEvaluatedYear], ['notice', null], 'under public notice: untouched')
  const [grown] = await app.db.select().from(poolMemberships).where(eq(poolMemberships.graduatedFrom, m.graduate))
  t.match(grown, { enterpriseId: f.graduate.enterpriseId, programCode: 'innovative_growth', status: 'active', validFrom: `${Y + 1}-01-01`, validUntil: `${Y + 3}-12-31` })

  const audits = await app.db.select().from(auditLog).where(inArray(auditLog.objectId, [...ids, grown.id]))
  t.same(audits.slice(auditsBefore).map(a => a.action).sort(),
    ['pool.admit_graduate', 'pool.exit', 'pool.expire', 'pool.graduate', 'pool.renew', 'pool.retier', 'pool.warn'])
  t.ok(audits.filter(a => a.action !== 'pool.admit_graduate').slice(auditsBefore).every(a => a.actorId === officer.id))

  // Every firm whose membership changed is told why and what it can do.
  const told = async (firm: Firm) => (await inbox(app, firm)).map((n: any) => n.kind)
  t.same(await told(f.renew), ['renewed'])
  t.same(await told(f.failing), ['warned'])
  t.same(await told(f.exit), ['exited'])
  t.same(await told(f.graduate), ['graduated'])
  t.same(await told(f.expire), ['expired'])
  t.same(await told(f.promote), ['promoted'])
  t.same(await told(f.steady), [])
  const [warning] = await inbox(app, f.failing)
  t.match(warning, { program: 'innovative_growth', from: 'active', to: 'warned', reason: /R&D/, advice: /Declare/, adviceZh: /复核/ })

  // The firm's own view shows each membership's status, term and reason.
  const own = (await app.inject({ url: `/v1/enterprises/${f.failing.enterpriseId}`, headers: auth(f.failing.token) })).json()
  t.match(own.poolMemberships[0], { id: m.failing, status: 'warned', validUntil: `${Y + 3}-05-31`, statusReason: /R&D/, direct: false, barredUntil: null })
  const grad = (await app.inject({ url: `/v1/enterprises/${f.graduate.enterpriseId}`, headers: auth(f.graduate.token) })).json()
  t.same(grad.poolMemberships.map((x: any) => [x.program, x.status]), [['startup', 'graduated'], ['innovative_growth', 'active']])

  // Applying again changes nothing and tells nobody again.
  const snapshot = await poolView()
  const auditCount = (await app.db.select().from(auditLog)).length
  const notes = (await app.db.select().from(notifications)).length
  const twice = await app.inject({ method: 'POST', url: `/v1/pool/reevaluations/${fresh.id}/apply`, headers: auth(officer.token) })
  t.equal(twice.statusCode, 200)
  t.same(twice.json(), applied.json())
  t.same(await poolView(), snapshot)
  t.equal((await app.db.select().from(auditLog)).length, auditCount)
  t.equal((await app.db.select().from(notifications)).length, notes)

  // Re-evaluating the same year again after applying: nothing to change.
  const after = (await app.inject({ method: 'POST', url: '/v1/pool/reevaluations', headers: auth(officer.token), payload: { year: Y } })).json()
  t.same(after.changes, [], 'the outcome rests on the data, not on how often it ran')

  // The one-step route: preview and apply together, recorded as both.
  const oneStep = await app.inject({ method: 'POST', url: '/v1/pool/reevaluate', headers: auth(officer.token), payload: { year: Y } })
  t.equal(oneStep.statusCode, 200, oneStep.body)
  t.equal(oneStep.json().state, 'applied')
  t.same(oneStep.json().changes, [])
  const runs = await app.db.select().from(poolEvaluations).orderBy(poolEvaluations.id)
  t.same(runs.map(r => [r.year, r.changes]), [[Y, fresh.changes.length], [Y, 0]])

  // Refusals: an earlier year than the last applied, the future, bad input, other roles.
  for (const url of ['/v1/pool/reevaluations', '/v1/pool/reevaluate']) {
    const earlier = await app.inject({ method: 'POST', url, headers: auth(officer.token), payload: { year: Y - 1 } })
    t.same([earlier.statusCode, earlier.json().code], [409, 'INVALID_STATE'], `${url}: earlier year`)
    const future = await app.inject({ method: 'POST', url, headers: auth(officer.token), payload: { year: Y + 2 } })
    t.same([future.statusCode, future.json().code], [400, 'VALIDATION_FAILED'])
    t.equal((await app.inject({ method: 'POST', url, headers: auth(officer.token), payload: { year: '2024; drop' } })).statusCode, 400)
    t.equal((await app.inject({ method: 'POST', url, headers: auth(analyst.token), payload: { year: Y } })).statusCode, 403)
    t.equal((await app.inject({ method: 'POST', url, headers: auth(f.renew.token), payload: { year: Y } })).statusCode, 403)
    t.equal((await app.inject({ method: 'POST', url, payload: { year: Y } })).statusCode, 401)
  }

  // GET /v1/pool: new statuses, fields and the analysts' counts.
  const graduated = (await app.inject({ url: '/v1/pool?status=graduated,expired', headers: auth(officer.token) })).json()
  t.same(graduated.items.map((x: any) => x.status).sort(), ['expired', 'graduated'])
  t.match(graduated.items[0], { validFrom: /^\d{4}-\d\d-\d\d$/, validUntil: /^\d{4}-\d\d-\d\d$/, direct: false })
  const agg = (await app.inject({ url: '/v1/pool?status=exited', headers: auth(analyst.token) })).json()
  t.same(agg, { aggregates: [{ program: 'innovative_growth', tier: 'above_scale', status: 'exited', direct: false, members: 1 }], members: 1 })
  t.same((await verifyAuditChain(app.db)).intact, true)
})

t.test('expiry by the chores job: once, and the firm is told', async (t) => {
  const firm = await registerFirm(app)
  const other = await registerFirm(app)
  const lapsed = await join(app, firm.enterpriseId, 'innovative_growth', 'above_scale', 'warned', { validUntil: '2026-03-31' })
  const current = await join(app, other.enterpriseId, 'innovative_growth', 'above_scale', 'active', { validUntil: '2026-04-01' })
  const noticed = await join(app, other.enterpriseId, 'startup', 'below_scale', 'notice', { validUntil: '2020-01-01' })
  const now = new Date('2026-04-01T08:00:00Z')
  t.same(await expireMemberships(app.db, now), [lapsed], 'the last day of the term is still inside it')
  t.same(await expireMemberships(app.db, now), [], 'once')
  const rows = await rowsOf(app, [lapsed, current, noticed])
  t.same([rows[lapsed].status, rows[current].status, rows[noticed].status], ['expired', 'active', 'notice'])
  t.match(rows[lapsed].statusReason, /term ended on 2026-03-31/)
  const told = await inbox(app, firm)
  t.equal(told.length, 1)
  t.match(told[0], { kind: 'expired', membershipId: lapsed, from: 'warned', to: 'expired', advice: /apply again/ })
  const [audit] = await app.db.select().from(auditLog).where(and(eq(auditLog.objectId, lapsed), eq(auditLog.action, 'pool.expire')))
  t.equal(audit.actorRole, 'system')
})

async function openCall (app: FastifyInstance, token: string) {
  const now = Date.now()
  const res = await app.inject({
    method: 'POST', url: '/v1/calls', headers: auth(token),
    payload: { program: 'innovative_growth', year: Y, title: `${Y} 创新型企业成长计划`, opensAt: new Date(now - 86_400_000).toISOString(), closesAt: new Date(now + 30 * 86_400_000).toISOString(), reviewersPerApplication: 1 }
  })
  if (res.statusCode !== 201) throw new Error(res.body)
  return res.json().id as string
}

t.test('revocation: revoked, told why and until when to appeal, barred from applying with the date the bar ends', async (t) => {
  const officer = await createStaff(app, 'officer')
  const firm = await registerFirm(app)
  const other = await registerFirm(app)
  const callId = await openCall(app, officer.token)
  const member = await join(app, firm.enterpriseId, 'innovative_growth', 'above_scale', 'active')
  const otherMember = await join(app, other.enterpriseId, 'innovative_growth', 'above_scale', 'warned')

  const revoke = async (id: string, payload: object, token = officer.token) =>
    await app.inject({ method: 'POST', url: `/v1/pool/memberships/${id}/revoke`, headers: auth(token), payload })
  t.equal((await revoke(member, { reason: '' })).statusCode, 400, 'a reason is required')
  t.equal((await revoke(member, { reason: 'x', barYears: 11 })).statusCode, 400)
  t.equal((await revoke(member, { reason: 'x' }, firm.token)).statusCode, 403)
  t.equal((await revoke(crypto.randomUUID(), { reason: 'x' })).statusCode, 404)

  const res = await revoke(member, { reason: '申报数据造假 (falsified declarations)' })
  t.equal(res.statusCode, 200, res.body)
  const today = new Date().toISOString().slice(0, 10)
  const barEnds = `${Number(today.slice(0, 4)) + 3}${today.slice(4)}`
  t.match(res.json(), { id: member, status: 'revoked', statusReason: /falsified/, barredUntil: barEnds })
  const again = await revoke(member, { reason: 'again' })
  t.same([again.statusCode, again.json().code], [409, 'INVALID_STATE'])

  const told = await inbox(app, firm)
  t.match(told[0], { kind: 'revoked', reason: /falsified/, barredUntil: barEnds, appealBy: /^\d{4}-\d\d-\d\d$/, advice: new RegExp(`appeal.*${barEnds}`) })
  const own = (await app.inject({ url: `/v1/enterprises/${firm.enterpriseId}`, headers: auth(firm.token) })).json()
  t.match(own.poolMemberships[0], { status: 'revoked', statusReason: /falsified/, barredUntil: barEnds })

  const apply = await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId } })
  t.equal(apply.statusCode, 409)
  t.match(apply.json(), { code: 'APPLICANT_BARRED', details: { barredUntil: barEnds }, message: new RegExp(barEnds) })
  const zh = await app.inject({ method: 'POST', url: '/v1/applications', headers: { ...auth(firm.token), 'accept-language': 'zh-CN' }, payload: { callId } })
  t.match(zh.json().message, /不得申报/)
  t.equal((await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(other.token), payload: { callId } })).statusCode, 201, 'other firms apply')

  // barYears 0: revoked without a bar.
  const noBar = await revoke(otherMember, { reason: 'serious safety incident', barYears: 0 })
  t.match(noBar.json(), { status: 'revoked', barredUntil: null })
  const audit = await app.db.select().from(auditLog).where(and(eq(auditLog.objectId, member), eq(auditLog.action, 'pool.revoke')))
  t.equal(audit.length, 1)
  t.same([(audit[0].before as any).status, (audit[0].after as any).status, audit[0].actorId], ['active', 'revoked', officer.id])
})

t.test('direct admission: the ten-billion tier is admitted under public notice, flagged direct; below it, refused naming the condition', async (t) => {
  const officer = await createStaff(app, 'officer')
  const analyst = await createStaff(app, 'analyst')
  const giant = await registerFirm(app)
  const big = await registerFirm(app)
  const fresh = await registerFirm(app)
  await declare(app, giant.enterpriseId, Y, { tierCode: 'ten_billion', operatingRevenue: '12000000000.00', rdExpense: '600000000.00' })
  await declare(app, big.enterpriseId, Y, { tierCode: 'billion', operatingRevenue: '2000000000.00', rdExpense: '100000000.00' })
  const admit = async (payload: object, token = officer.token) => await app.inject({ method: 'POST', url: '/v1/pool/admissions', headers: auth(token), payload })
  const body = (enterpriseId: string, over: object = {}) => ({ enterpriseId, program: 'leading_platform', basis: 'ten_billion_tier', reason: '百亿级龙头企业', ...over })

  const refused = await admit(body(big.enterpriseId))
  t.equal(refused.statusCode, 409)
  t.equal(refused.json().code, 'NOT_ELIGIBLE_FOR_DIRECT_ROUTE')
  t.same(refused.json().details.failedConditions.map((c: any) => [c.condition, c.required, c.actual]), [['tier_at_least', 'ten_billion', 'billion']])
  t.match(refused.json().message, /ten-billion tier/)
  const noRoute = await admit(body(giant.enterpriseId, { program: 'startup' }))
  t.same([noRoute.statusCode, noRoute.json().details.failedConditions[0].condition], [409, 'basis'])
  const wrongBasis = await admit(body(giant.enterpriseId, { basis: 'national_title' }))
  t.match(wrongBasis.json().details.failedConditions[0], { condition: 'basis', message: /ten_billion_tier/ })
  const undeclared = await admit(body(fresh.enterpriseId))
  t.match(undeclared.json().details.failedConditions[0], { condition: 'declaration' })
  t.equal((await admit(body(crypto.randomUUID()))).statusCode, 400)
  t.equal((await admit(body(giant.enterpriseId, { program: 'nope' }))).statusCode, 400)
  t.equal((await admit(body(giant.enterpriseId, { reason: '' }))).statusCode, 400)
  t.equal((await admit(body(giant.enterpriseId), giant.token)).statusCode, 403)
  t.equal((await app.db.select().from(poolMemberships).where(inArray(poolMemberships.enterpriseId, [giant.enterpriseId, big.enterpriseId, fresh.enterpriseId]))).length, 0, 'refusals admit nobody')

  const key = { 'idempotency-key': 'direct-giant-1' }
  const ok = await app.inject({ method: 'POST', url: '/v1/pool/admissions', headers: { ...auth(officer.token), ...key }, payload: body(giant.enterpriseId) })
  t.equal(ok.statusCode, 201, ok.body)
  const r = ok.json()
  const replay = await app.inject({ method: 'POST', url: '/v1/pool/admissions', headers: { ...auth(officer.token), ...key }, payload: body(giant.enterpriseId) })
  t.same([replay.statusCode, replay.headers['idempotent-replayed'], replay.json()], [201, 'true', r], 'a retry with the same key replays the first answer')
  t.match(r.membership, { enterpriseId: giant.enterpriseId, program: 'leading_platform', status: 'notice', direct: true, admissionBasis: 'ten_billion_tier', currentTier: 'ten_billion' })
  const notices = (await app.inject({ url: '/v1/public/notices' })).json().items
  t.same(notices.map((n: any) => [n.id, n.program, n.tier]), [[r.noticeId, 'leading_platform', 'ten_billion']], 'published like any admission')
  const [notice] = await app.db.select().from(publicNotices).where(eq(publicNotices.id, r.noticeId))
  t.equal(notice.applicationId, null)
  t.same((await admit(body(giant.enterpriseId))).json().code, 'ALREADY_IN_POOL')
  t.match((await inbox(app, giant))[0], { kind: 'admitted', reason: /百亿级龙头企业/, advice: /public notice/ })

  const direct = (await app.inject({ url: '/v1/pool?direct=true', headers: auth(officer.token) })).json()
  t.same(direct.items.map((x: any) => x.id), [r.membership.id])
  t.notOk((await app.inject({ url: '/v1/pool?direct=false&limit=500', headers: auth(officer.token) })).json().items.some((x: any) => x.direct))
  const agg = (await app.inject({ url: '/v1/pool?direct=true', headers: auth(analyst.token) })).json()
  t.same(agg.aggregates, [{ program: 'leading_platform', tier: 'ten_billion', status: 'notice', direct: true, members: 1 }])

  // The notice ends without objection: active, and the firm is told.
  t.same(await activateExpiredNotices(app.db, new Date(Date.now() + 8 * 86_400_000)), [r.membership.id])
  t.match((await inbox(app, giant))[0], { kind: 'activated', to: 'active' })
})

t.test('an upheld objection reverses a direct admission (no application to reverse)', async (t) => {
  const officer = await createStaff(app, 'officer')
  const giant = await registerFirm(app)
  await declare(app, giant.enterpriseId, Y, { tierCode: 'ten_billion', operatingRevenue: '12000000000.00', rdExpense: '1.00' })
  const r = (await app.inject({
    method: 'POST', url: '/v1/pool/admissions', headers: auth(officer.token),
    payload: { enterpriseId: giant.enterpriseId, program: 'leading_platform', basis: 'ten_billion_tier', reason: '直通' }
  })).json()
  const objection = await app.inject({ method: 'POST', url: `/v1/public/notices/${r.noticeId}/objections`, payload: { reason: '营业收入含关联交易', contact: 'tip@example.test' } })
  t.equal(objection.statusCode, 201, objection.body)
  const upheld = await app.inject({ method: 'POST', url: `/v1/objections/${objection.json().id}/uphold`, headers: auth(officer.token), payload: { reason: '核实属实' } })
  t.equal(upheld.statusCode, 200, upheld.body)
  const [m] = await app.db.select().from(poolMemberships).where(eq(poolMemberships.id, r.membership.id))
  t.same([m.status, m.statusReason], ['revoked', 'objection upheld: 核实属实'])
  t.match((await inbox(app, giant))[0], { kind: 'revoked', reason: /核实属实/ })
})
