// End-to-end, in a real browser: the policy what-if screen and the pool's
// life, on the demo data of `npm run db:seed`. An administrator raises the
// above-scale line, reads the tier moves and the targets before and after,
// and adopts it; an officer previews the year's re-evaluation, filters it,
// applies it after the confirmation, admits a firm directly and revokes a
// member; the firms read why on their membership cards. Screenshots go to
// docs/screenshots/.
import t from 'tap'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import type { Page } from 'playwright-core'
import { launchBrowser, listen, signIn as signInAt } from './browser.ts'
import type { FastifyInstance } from 'fastify'
import { buildTestApp, testConfig, adminToken, login, uscc, PASSWORD, ADMIN, auth } from '../helper.ts'
import { seedDatabase } from '../../scripts/seed/load.ts'
import { firmEmail, FIRM_PASSWORD } from '../../scripts/seed/options.ts'
import { queryRows } from '../../db/client.ts'

const SHOTS = join(import.meta.dirname, '..', '..', 'docs', 'screenshots')
const YEAR = new Date().getFullYear() - 1

const app: FastifyInstance = await buildTestApp(t, { overload: { ...testConfig().overload, maxEventLoopDelayMs: 0, dbHealthIntervalMs: 0 } })
const base = await listen(app)
await seedDatabase(app.database, { firms: 800, fromYear: YEAR - 7, toYear: YEAR, seed: 1, force: false })

const { newPage: openPage, problems: pageProblems } = await launchBrowser(t)
mkdirSync(SHOTS, { recursive: true })

const newPage = async () => await openPage({ downloads: false })
const signIn = async (page: Page, email: string, password = PASSWORD): Promise<void> => { await signInAt(page, base, email, password) }

const api = async (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, token: string, payload?: unknown): Promise<any> => {
  const res = await app.inject({ method, url, headers: auth(token), ...(payload !== undefined ? { payload: payload as object } : {}) })
  return { status: res.statusCode, body: res.body === '' ? null : res.json() }
}

const admin = await adminToken(app)
const created = await api('POST', '/v1/users', admin, { email: 'officer@policy-e2e.test', name: '李经办', role: 'officer', password: PASSWORD })
if (created.status !== 201) throw new Error(`create officer: ${created.status}`)
const officer = await login(app, 'officer@policy-e2e.test', PASSWORD)

const tierCounts = async (): Promise<Record<string, number>> => {
  const d = await api('GET', `/v1/analytics/distribution?year=${YEAR}&by=tier`, admin)
  return Object.fromEntries((d.body.cells as Array<{ tier: string, firms: number }>).map(c => [c.tier, c.firms]))
}
const auditCount = async (): Promise<number> =>
  Number((await queryRows<{ n: string }>(app.db, sql`select count(*)::text as n from audit_log`))[0].n)

t.test('the administrator simulates a higher above-scale line, sees the moves and the targets, and adopts it', async (t) => {
  const tiersBefore = await tierCounts()
  const auditBefore = await auditCount()
  const { context, page } = await newPage()
  page.on('dialog', async (d) => { await d.accept() })
  await signIn(page, ADMIN.email, ADMIN.password)
  await page.goto(`${base}/simulations?year=${YEAR}`)
  await page.waitForSelector('#sim-form')
  // The row of the city-wide above-scale rule in force now: no domain, no end year.
  const rows = page.locator('#sim-form tbody tr')
  let edited = false
  for (let i = 0; i < await rows.count(); i++) {
    const row = rows.nth(i)
    if (await row.locator('input[data-rule=tierCode]').inputValue() !== 'above_scale') continue
    if (await row.locator('input[data-rule=domainCode]').inputValue() !== '') continue
    if (await row.locator('input[data-rule=toYear]').inputValue() !== '') continue
    await row.locator('input[data-rule=minRevenue]').fill('30000000.00')
    edited = true
  }
  t.ok(edited, 'the editor lists the rule in force beside the proposal')
  await page.fill('#sim-form input[name=year]', String(YEAR))
  await page.click('#sim-form button[type=submit]')
  await page.waitForURL(/\/simulations\?id=[0-9a-f-]{36}$/)
  const id = new URL(page.url()).searchParams.get('id')!
  await page.waitForSelector('#chart-moves canvas')
  const sim = (await api('GET', `/v1/admin/simulations/${id}`, admin)).body
  t.ok(sim.tiers.changed > 0, 'some firms change tier')
  t.ok(sim.tiers.after.below_scale > sim.tiers.before.below_scale, 'firms drop to below-scale')
  const dropped = sim.tiers.moves.find((m: { from: string, to: string }) => m.from === 'above_scale' && m.to === 'below_scale')
  t.ok(dropped?.firms > 0, 'the matrix has the move above-scale → below-scale')
  const resultText = await page.textContent('#sim-result') ?? ''
  t.match(resultText, sim.tiers.changed.toLocaleString('zh-CN'), 'the screen says how many firms change tier')
  t.ok(await page.locator('#sim-result table').count() >= 4, 'tiers, moves, targets, pool and applications as tables')
  t.same(await tierCounts(), tiersBefore, 'the simulation changed no figure')
  t.equal(await auditCount(), auditBefore, 'and wrote no audit entry')
  await page.waitForTimeout(1500) // the Sankey's links are drawn in an animation
  await page.screenshot({ path: join(SHOTS, 'simulation.png'), fullPage: true })

  await page.click('#adopt')
  await page.waitForSelector('text=此模拟已采用')
  const after = await tierCounts()
  for (const [tier, firms] of Object.entries(sim.tiers.after as Record<string, number>)) {
    if (firms > 0) t.equal(after[tier], firms, `${tier}: the adopted tiers are exactly the simulated ones`)
  }
  t.ok(await auditCount() > auditBefore, 'the adoption is audited')
  await context.close()
})

t.test('the officer previews the re-evaluation, filters it, and applies it after the confirmation', async (t) => {
  const poolBefore = (await api('GET', '/v1/pool?view=aggregates', officer)).body
  const { context, page } = await newPage()
  await signIn(page, 'officer@policy-e2e.test')
  await page.fill('#reevaluate-form input[name=year]', String(YEAR))
  await page.click('#reevaluate-form button[type=submit]')
  await page.waitForSelector('#reevaluation-report table')
  t.same((await api('GET', '/v1/pool?view=aggregates', officer)).body, poolBefore, 'a preview changes nothing in the pool')
  const previews = await queryRows<{ id: string }>(app.db, sql`select id::text from pool_reevaluations order by created_at desc limit 1`)
  const report = (await api('GET', `/v1/pool/reevaluations/${previews[0].id}`, officer)).body
  t.equal(report.state, 'previewed')
  const kinds = Object.entries(report.counts as Record<string, number>).filter(([, n]) => n > 0)
  t.ok(kinds.length > 0, 'the report lists changes')
  const [kind, n] = kinds[0]
  await page.selectOption('#reevaluation-report select[name=kind]', kind)
  t.equal(await page.locator('#reevaluation-report tbody tr').count(), n, `filtering by ${kind} shows its ${n} rows`)
  await page.screenshot({ path: join(SHOTS, 'reevaluation.png'), fullPage: true })

  await page.click('#reevaluation-apply')
  const confirmText = await page.locator('#reevaluation-report .alert.warn').last().textContent() ?? ''
  t.match(confirmText, String(report.counts[kind]), 'the confirmation repeats the counts')
  await page.click('#reevaluation-confirm')
  await page.waitForSelector('text=复核已执行')
  const applied = (await api('GET', `/v1/pool/reevaluations/${report.id}`, officer)).body
  t.equal(applied.state, 'applied')
  const again = await api('POST', `/v1/pool/reevaluations/${report.id}/apply`, officer)
  t.equal(again.status, 200, 'applying twice answers the report')
  t.equal(again.body.state, 'applied')

  // A firm the report changed reads why on its membership card.
  const change = (report.changes as Array<{ enterpriseId: string, membershipId: string, kind: string }>).find(c => ['warned', 'exited', 'graduated'].includes(c.kind))
  if (change != null) {
    const [{ email }] = await queryRows<{ email: string }>(app.db, sql`select email from users where enterprise_id = ${change.enterpriseId}::uuid and role = 'enterprise' limit 1`)
    t.match(email, /@seed\.peiyu\.cn$/)
    const firm = await newPage()
    await signIn(firm.page, email, FIRM_PASSWORD)
    await firm.page.goto(`${base}/portal`)
    const cardEl = firm.page.locator(`[data-membership="${change.membershipId}"]`)
    await cardEl.waitFor()
    const text = await cardEl.textContent() ?? ''
    t.match(text, /有效期/, 'the card shows the term')
    t.ok(text.length > 30, 'and the reason with what the firm can do')
    await firm.context.close()
  }
  await context.close()
  t.ok(firmEmail(0).endsWith('@seed.peiyu.cn'))
})

t.test('the officer admits a ten-billion firm directly, is refused for a smaller one, and revokes a member', async (t) => {
  const register = async (n: number, name: string, revenue: string) => {
    const email = `direct${n}@policy-e2e.test`
    const r = await app.inject({
      method: 'POST', url: '/v1/auth/register',
      payload: { uscc: uscc(880000 + n), name, email, password: PASSWORD, districtCode: '210202', domains: ['industrial_software'], foundedOn: '2008-03-01' }
    })
    if (r.statusCode !== 201) throw new Error(`register: ${r.statusCode} ${r.body}`)
    const token = await login(app, email, PASSWORD)
    const id = r.json().enterprise.id as string
    const d = await api('PUT', `/v1/enterprises/${id}/declarations/${YEAR}`, token, {
      operatingRevenue: revenue, softwareRevenue: revenue, rdExpense: '90000000.00', exportRevenue: '0.00', employees: 900, rdStaff: 300, patents: 40, softwareCopyrights: 60
    })
    if (d.status !== 201) throw new Error(`declare: ${d.status} ${JSON.stringify(d.body)}`)
    return id
  }
  const big = await register(1, '大连海湾工业软件集团有限公司', '12000000000.00')
  const small = await register(2, '大连旅顺口云计算有限公司', '800000000.00')

  const { context, page } = await newPage()
  await signIn(page, 'officer@policy-e2e.test')
  const admit = async (enterpriseId: string, name: string) => {
    // The officer finds the firm by part of its name; choosing it fills in its id.
    await page.fill('#firm-search', name.slice(2, 8))
    await page.click(`#firm-results button[data-enterprise="${enterpriseId}"]`)
    t.equal(await page.inputValue('#direct-admission-form input[name=enterpriseId]'), enterpriseId, `the picker chose ${name}`)
    await page.selectOption('#direct-admission-form select[name=program]', 'leading_platform')
    await page.fill('#direct-admission-form textarea[name=reason]', '年度营业收入超过百亿元,符合直通条件')
    await page.click('#direct-admission-form button[type=submit]')
  }
  await admit(small, '大连旅顺口云计算有限公司')
  await page.waitForSelector('#direct-admission-form .alert.error, #direct-admission-form .field-error:not(:empty)')
  const refusal = await api('POST', '/v1/pool/admissions', officer, { enterpriseId: small, program: 'leading_platform', basis: 'ten_billion_tier', reason: '测试' })
  t.equal(refusal.status, 409)
  t.equal(refusal.body.code, 'NOT_ELIGIBLE_FOR_DIRECT_ROUTE', 'the smaller firm is refused, naming the failed condition')
  await admit(big, '大连海湾工业软件集团有限公司')
  await page.waitForSelector('text=已直通入库')
  const members = (await api('GET', '/v1/pool?view=members&direct=true&status=notice,active', officer)).body
  t.ok(members.items.some((m: { enterpriseId: string, direct: boolean }) => m.enterpriseId === big && m.direct), 'the firm is in the pool, flagged direct')

  // The officer picks the member from the pool's list: its revoke button fills in the form.
  await page.reload()
  await page.waitForSelector('#pool-members [data-revoke]')
  const membershipId = await page.locator('#pool-members [data-revoke]').first().getAttribute('data-revoke') as string
  const [member] = await queryRows<{ id: string, enterprise_id: string }>(app.db, sql`
    select id::text, enterprise_id::text from pool_memberships where id = ${membershipId}::uuid`)
  await page.click(`#pool-members [data-revoke="${membershipId}"]`)
  t.equal(await page.inputValue('#revoke-form input[name=membershipId]'), membershipId, 'the list fills in the membership')
  t.ok((await page.textContent('#revoke-target'))?.includes('·'), 'and names the firm')
  await page.fill('#revoke-form textarea[name=reason]', '申报材料中研发费用数据失实')
  await page.click('#revoke-form button[type=submit]')
  await page.waitForSelector('#revoke-card .alert.success')
  const firm = await api('GET', `/v1/enterprises/${member.enterprise_id}`, admin)
  const revoked = firm.body.poolMemberships.find((m: { id: string }) => m.id === member.id)
  t.equal(revoked.status, 'revoked')
  t.ok(revoked.barredUntil != null, 'the firm is barred until a date')
  await page.screenshot({ path: join(SHOTS, 'pool.png'), fullPage: true })
  await context.close()
})

t.test('the administrator manages staff by role and reads the audit trail in words, page by page', async (t) => {
  const { context, page } = await newPage()
  await signIn(page, ADMIN.email, ADMIN.password)
  await page.goto(`${base}/staff?role=reviewer`)
  await page.waitForSelector('#staff-list tbody tr')
  const reviewers = (await api('GET', '/v1/users?role=reviewer&limit=500', admin)).body.items as Array<{ id: string, name: string, domains: string[] }>
  t.equal(await page.locator('#staff-list tbody tr').count(), reviewers.length, 'every reviewer, asked by role')
  const reviewer = reviewers[0]
  // More than one page of audit entries to page through below (the seed writes none): another reviewer renamed a few dozen
  // times through the API, each audited, before the change made on the screen (so that one is on the first page).
  const other = reviewers[1]
  const renames = []
  for (let i = 0; i <= 60; i++) renames.push((await api('PATCH', `/v1/users/${other.id}`, admin, { name: i < 60 ? `${other.name} ${i}` : other.name })).status)
  t.same([...new Set(renames)], [200], 'sixty-one audited changes made')
  await page.click(`#staff-list button[data-edit="${reviewer.id}"]`)
  await page.waitForSelector('#staff-edit-form')
  for (const box of await page.locator('#staff-edit-form input[name=domains]').all()) await box.setChecked(false)
  await page.check('#staff-edit-form input[name=domains][value=ai]')
  await page.check('#staff-edit-form input[name=domains][value=cloud]')
  await page.check('#staff-edit-form input[name=disabled]')
  await page.click('#staff-edit-form button[type=submit]')
  await page.waitForSelector('.alert.success')
  const after = (await api('GET', `/v1/users/${reviewer.id}`, admin)).body
  t.same([...after.domains].sort(), ['ai', 'cloud'], 'the reviewer\'s domains are saved')
  t.equal(after.disabled, true, 'and the account is disabled')

  await page.goto(`${base}/audit`)
  await page.waitForSelector('#audit-entries table')
  t.equal(await page.locator('#audit-entries tbody tr').count(), 50, 'fifty entries a page')
  t.ok(await page.locator('#audit-entries [data-action="user.disable"]').count() >= 1, 'the account change is there')
  t.equal((await page.locator('#audit-entries [data-action="user.disable"]').first().textContent())?.trim(), '停用账户', 'action names in Chinese')
  await page.click('#audit-more')
  await page.waitForFunction(() => document.querySelectorAll('#audit-entries tbody tr').length > 50)
  await page.selectOption('#audit-search select[name=action]', 'simulation.adopt')
  await page.click('#audit-search button[type=submit]')
  await page.waitForURL(/action=simulation\.adopt/)
  await page.waitForSelector('#audit-entries table')
  t.equal(await page.locator('#audit-entries tbody tr').count(), 1, 'filtered to the adoption')
  await page.screenshot({ path: join(SHOTS, 'audit.png'), fullPage: true })
  await context.close()
})

t.test('the administrator changes policy values and documents on the policy screen, with validation', async (t) => {
  const { context, page } = await newPage()
  await signIn(page, ADMIN.email, ADMIN.password)
  await page.goto(`${base}/policy`)
  await page.waitForSelector('#policy-values tbody tr')
  await page.click('button[data-edit-policy="notice_period_days"]')
  await page.fill('textarea[name=notice_period_days]', '0')
  await page.click('button[data-save-policy="notice_period_days"]')
  await page.waitForSelector('tr[data-policy="notice_period_days"] .alert.error')
  t.equal((await api('GET', '/v1/admin/policy', admin)).body.items.find((i: { key: string }) => i.key === 'notice_period_days').value, 7, 'a value out of range changes nothing')
  await page.fill('textarea[name=notice_period_days]', '9')
  await page.click('button[data-save-policy="notice_period_days"]')
  await page.waitForSelector('tr[data-policy="notice_period_days"] pre:has-text("9")')
  t.equal((await api('GET', '/v1/admin/policy', admin)).body.items.find((i: { key: string }) => i.key === 'notice_period_days').value, 9)

  const gates = (await api('GET', '/v1/admin/eligibility-gates', admin)).body
  await page.fill('#gates-text', JSON.stringify({ ...gates, startup: [{ gate: 'founded_within_years', years: -1 }] }))
  await page.click('#gates-save')
  await page.waitForSelector('#gates-result .alert.error li')
  t.same((await api('GET', '/v1/admin/eligibility-gates', admin)).body, gates, 'invalid gates change nothing')
  await page.fill('#gates-text', JSON.stringify({ ...gates, startup: [{ gate: 'founded_within_years', years: 6 }, { gate: 'tier_below', tier: 'billion' }] }))
  await page.click('#gates-save')
  await page.waitForSelector('#gates-result .alert.success')
  t.match((await api('GET', '/v1/admin/eligibility-gates', admin)).body.startup, [{ gate: 'founded_within_years', years: 6 }])
  await page.screenshot({ path: join(SHOTS, 'policy.png'), fullPage: true })
  await context.close()
})

t.test('the screens ran under the CSP without errors', async (t) => {
  t.same(pageProblems, [])
})
