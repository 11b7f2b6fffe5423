import t from 'tap'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import fc from 'fast-check'
import { buildTestApp } from './helper.ts'
import { checkUscc, usccCheckCharacter, USCC_ALPHABET } from '../server/domain/uscc.ts'
import { WEB_ROOT } from '../server/plugins/web.ts'
import { APPLICATION_STATES } from '../server/domain/application-state.ts'
import { REVIEW_STATE_VALUES } from '../schemas/grading.ts'

// The browser's copy of the credit-code check (server/web/uscc.js), loaded as the browser loads it.
interface BrowserUscc {
  checkUscc: (s: string) => { ok: boolean, rule?: string, divisionCode?: string, expected?: string }
  usccCheckCharacter: (s: string) => string
}
const browserUscc = async (): Promise<BrowserUscc> => await import(pathToFileURL(join(WEB_ROOT, 'uscc.js')).href)

// One app for the file: these tests only read.
const app = await buildTestApp(t)

t.test('the front end is served at / with client-side routes, beside the API', async (t) => {
  const index = await app.inject({ method: 'GET', url: '/' })
  t.equal(index.statusCode, 200)
  t.match(index.headers['content-type'], /^text\/html/)
  t.match(index.body, /<script type="module" src="\/app\.js"><\/script>/)
  t.notMatch(index.body, /<script>(?!<)/, 'no inline script')
  t.notMatch(index.body, /\son[a-z]+=/i, 'no inline event handler')

  for (const path of ['/portal', '/portal/applications/0b4c3b0e-9a43-4c38-9d0a-0c1f0f7f5b11', '/dashboard?year=2025', '/reviews']) {
    const res = await app.inject({ method: 'GET', url: path })
    t.equal(res.statusCode, 200, `${path} falls back to index.html`)
    t.equal(res.body, index.body, `${path} is the same page`)
  }

  const js = await app.inject({ method: 'GET', url: '/app.js' })
  t.equal(js.statusCode, 200)
  t.match(js.headers['content-type'], /javascript/)
  const screen = await app.inject({ method: 'GET', url: '/screens/portal.js' })
  t.equal(screen.statusCode, 200, 'files in subfolders are served')

  const missingFile = await app.inject({ method: 'GET', url: '/nothing-here.js' })
  t.equal(missingFile.statusCode, 404, 'a missing asset is a 404, not the page')
  t.equal(missingFile.json().code, 'ROUTE_NOT_FOUND')
})

t.test('API, docs and probes keep their own answers', async (t) => {
  const api404 = await app.inject({ method: 'GET', url: '/v1/no-such-thing' })
  t.equal(api404.statusCode, 404)
  t.same(api404.json(), { statusCode: 404, code: 'ROUTE_NOT_FOUND', error: 'Not Found', message: 'No route GET /v1/no-such-thing' })
  t.equal((await app.inject({ method: 'GET', url: '/health' })).json().status, 'ok')
  t.equal((await app.inject({ method: 'GET', url: '/ready' })).statusCode, 200)
  const docs = await app.inject({ method: 'GET', url: '/docs/json' })
  t.equal(docs.statusCode, 200)
  t.notOk(Object.keys(docs.json().paths).some((p: string) => p === '/*'), 'the fallback route is not in the API document')
  // The catch-all must not change the router's answer to an over-long path parameter.
  const long = await app.inject({ method: 'GET', url: `/v1/users/${'9'.repeat(300)}` })
  t.equal(long.statusCode, 400)
  t.equal(long.json().code, 'BAD_REQUEST')
  t.notMatch(long.body, /999999/, 'the path is not echoed')
  const post = await app.inject({ method: 'POST', url: '/portal', payload: {} })
  t.equal(post.statusCode, 404, 'only GET falls back to the page')
})

t.test('ECharts comes from its npm package, and only the minified build', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/vendor/echarts/echarts.min.js' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /javascript/)
  t.ok(res.body.length > 500_000, 'the whole library')
  t.equal((await app.inject({ method: 'GET', url: '/vendor/echarts/echarts.js' })).statusCode, 404)
  t.equal((await app.inject({ method: 'GET', url: '/vendor/echarts/package.json' })).statusCode, 404)
  t.equal((await app.inject({ method: 'GET', url: '/vendor/echarts/../../package.json' })).statusCode, 404)
})

t.test('the page loads nothing from other origins', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/' })
  const urls = [...res.body.matchAll(/(?:src|href)="([^"]+)"/g)].map(m => m[1])
  t.ok(urls.length >= 4)
  for (const u of urls) t.match(u, /^(\/|#)/, `${u} is same-origin`)
})

t.test('the browser credit-code check agrees with the server on every input', async (t) => {
  const web = await browserUscc()
  const cases: Array<[string, boolean, string | undefined]> = [
    ['91210202000000042N', true, undefined],
    ['91210202000000042', false, 'length'],
    ['91210202000000042NN', false, 'length'],
    ['91210202000000042I', false, 'charset'],
    ['91AB0202000000042N', false, 'division_code'],
    ['912102020000000420', false, 'check_character']
  ]
  for (const [input, ok, rule] of cases) {
    const server = checkUscc(input)
    const browser = web.checkUscc(input)
    t.equal(browser.ok, ok, input)
    t.equal(server.ok, ok, input)
    if (!ok) t.equal(browser.rule, rule, `${input}: ${rule}`)
  }
  const char = fc.constantFrom(...USCC_ALPHABET.split(''))
  fc.assert(fc.property(fc.array(char, { minLength: 17, maxLength: 17 }), (chars) => {
    const first17 = chars.join('')
    return web.usccCheckCharacter(first17) === usccCheckCharacter(first17)
  }))
  fc.assert(fc.property(fc.string({ maxLength: 24 }), fc.array(char, { minLength: 18, maxLength: 18 }), (s, chars) => {
    for (const input of [s, chars.join('')]) {
      const server = checkUscc(input)
      const browser = web.checkUscc(input)
      if (server.ok !== browser.ok) return false
      if (!server.ok && server.rule !== browser.rule) return false
    }
    return true
  }))
})

t.test('every screen text exists in Chinese and English with the same placeholders', async (t) => {
  const i18n = await import(pathToFileURL(join(WEB_ROOT, 'i18n.js')).href) as { MESSAGES: Record<string, [string, string]> }
  const placeholders = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map(m => m[1]).sort()
  const keys = Object.keys(i18n.MESSAGES)
  t.ok(keys.length > 200)
  for (const key of keys) {
    const [zh, en] = i18n.MESSAGES[key]
    if (zh === '' || en === '' || typeof zh !== 'string' || typeof en !== 'string') t.fail(`${key} lacks a language`)
    if (placeholders(zh).join() !== placeholders(en).join()) t.fail(`${key}: placeholders differ`)
  }
  // Every t('…') key used by the screens is defined.
  const { readdirSync, readFileSync } = await import('node:fs')
  const files = ['app.js', 'ui.js', ...readdirSync(join(WEB_ROOT, 'screens')).map(f => 'screens/' + f)]
  for (const f of files) {
    for (const m of readFileSync(join(WEB_ROOT, f), 'utf8').matchAll(/\bt\('([a-zA-Z.]+)'\s*[,)]/g)) {
      if (!(m[1] in i18n.MESSAGES)) t.fail(`${f} uses an undefined text ${m[1]}`)
    }
  }
  // Badges are looked up by the API's state names: every one has a label.
  const states = [...APPLICATION_STATES, ...REVIEW_STATE_VALUES, 'upcoming', 'open', 'closed', 'notice', 'active', 'warned', 'exited', 'revoked']
  for (const s of states) t.ok(`state.${s}` in i18n.MESSAGES, `state.${s}`)
  for (const r of ['enterprise', 'reviewer', 'officer', 'analyst', 'admin']) t.ok(`role.${r}` in i18n.MESSAGES, `role.${r}`)
})

t.test('the API\'s common validation messages read in Chinese beside Chinese forms', async (t) => {
  const i18n = await import(pathToFileURL(join(WEB_ROOT, 'i18n.js')).href) as { localizeFieldMessage: (m: string) => string, getLang: () => string }
  t.equal(i18n.getLang(), 'zh', 'Chinese by default')
  const cases: Array<[string, string]> = [
    ['must NOT have fewer than 10 characters', '至少 10 个字符'],
    ['must NOT have fewer than 1 characters', '不能为空'],
    ['must be integer', '必须是整数'],
    ['must be >= 0', '不能小于 0'],
    ['must match pattern "^(0|[1-9]\\d{0,15})(\\.\\d{1,2})?$"', '格式不正确'],
    ['must match format "email"', '不是有效的电子邮箱地址'],
    ['is not a field you may set', '不允许填写此项'],
    ['operatingRevenue must be at least softwareRevenue', 'operatingRevenue must be at least softwareRevenue']
  ]
  for (const [en, zh] of cases) t.equal(i18n.localizeFieldMessage(en), zh, en)
})

t.test('money typed in 元 or 万元 becomes the exact yuan string; amounts read back in 万/亿', async (t) => {
  const money = await import(pathToFileURL(join(WEB_ROOT, 'money.js')).href) as {
    parseAmount: (text: string, unit?: string) => { yuan?: string, error?: string } | null
    inWords: (yuan: string) => string
  }
  const cases: Array<[string, string, string | null]> = [
    ['15000000', 'yuan', '15000000'],
    ['15,000,000.50', 'yuan', '15000000.5'],
    ['1500', 'wan', '15000000'],
    ['1,500万', 'yuan', '15000000'],
    ['1500万元', 'yuan', '15000000'],
    ['1.2345', 'wan', '12345'],
    ['0.000001', 'wan', '0.01'],
    ['1.5亿', 'yuan', '150000000'],
    ['800元', 'wan', '800'],
    ['0.0000001', 'wan', null], // a tenth of a fen
    ['12.345', 'yuan', null],
    ['1e6', 'yuan', null],
    ['-5', 'yuan', null],
    ['abc', 'wan', null]
  ]
  for (const [text, unit, yuan] of cases) {
    const r = money.parseAmount(text, unit)
    if (yuan == null) t.ok(r?.error != null, `${text} (${unit}) refused`)
    else t.equal(r?.yuan, yuan, `${text} (${unit})`)
  }
  t.equal(money.parseAmount('  ', 'yuan'), null, 'empty is no amount')
  // Exactness past a float's 15 digits: 9,007,199,254,740,993.01 元 typed in 万.
  t.equal(money.parseAmount('900719925474.099301', 'wan')?.yuan, '9007199254740993.01')
  t.equal(money.inWords('150000000'), '1.5亿元')
  t.equal(money.inWords('15000000'), '1500万元')
  t.equal(money.inWords('80810226704.82'), '808.1亿元')
  t.equal(money.inWords('12345.67'), '1.23万元')
  t.equal(money.inWords('800'), '800元')
})
