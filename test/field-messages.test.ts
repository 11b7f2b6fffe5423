import t from 'tap'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { FIELD_MESSAGES, messageZh } from '../server/domain/field-messages.ts'
import { errors, renderMessage } from '../server/domain/errors.ts'
import { adminToken, auth, buildTestApp, PASSWORD, registerFirm, uscc } from './helper.ts'

// Issue 16: every message the service writes itself (field messages built in
// services and domain rules, password and credit-code reasons, state and
// conflict details) has Chinese, shown when Accept-Language prefers zh.

const CJK = /[\u4e00-\u9fff]/

function files (dir: string): string[] {
  return readdirSync(dir).flatMap(name => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : []
  })
}

/** The string or template literal starting at `i` (a quote), `${…}` replaced by `X`, and where it ends; undefined if none starts there. */
function literalAt (src: string, i: number): { text: string, end: number } | undefined {
  const q = src[i]
  if (q !== "'" && q !== '"' && q !== '`') return undefined
  let text = ''
  for (let j = i + 1; j < src.length; j++) {
    const c = src[j]
    if (c === '\\') { text += src[j + 1]; j++; continue }
    if (c === q) return { text, end: j }
    if (q === '`' && c === '$' && src[j + 1] === '{') {
      let depth = 1
      j += 2
      while (j < src.length) {
        if (src[j] === '{') depth++
        else if (src[j] === '}' && --depth === 0) break
        else if (src[j] === '`' || src[j] === "'") j = literalAt(src, j)?.end ?? j
        j++
      }
      text += 'X'
      continue
    }
    text += c
  }
  return undefined
}

/** Every literal message the server's code writes: field messages, reasons, details. */
function literalMessages (): Array<{ where: string, text: string }> {
  const found: Array<{ where: string, text: string }> = []
  const starts = [/\bmessage: /g, /\berr\([^,()]+, /g, /\binvalidState\([^,()]+, /g, /\berrors\.conflict\(/g, /\berrors\.badRequest\(/g,
    /\bweakPasswordField\([^,()]+, /g]
  for (const file of files('server')) {
    if (file.endsWith('field-messages.ts')) continue
    const src = readFileSync(file, 'utf8')
    // Reasons of refusals: a credit code's and a password's.
    const extra = file.endsWith(join('domain', 'passwords.ts')) ? [/\breturn /g] : file.endsWith(join('domain', 'uscc.ts')) ? [/\breason: /g] : []
    for (const re of [...starts, ...extra]) {
      for (const m of src.matchAll(re)) {
        const lit = literalAt(src, m.index + m[0].length)
        if (lit == null || /^[a-z_]*$/.test(lit.text)) continue // not a literal, or a code
        // A message written with its Chinese beside it (eligibility failures, notices) needs no entry.
        if (/\b(message|reason)Zh:/.test(src.slice(lit.end, lit.end + 200).split('\n').slice(0, 2).join('\n'))) continue
        found.push({ where: `${file}:${src.slice(0, m.index).split('\n').length}`, text: lit.text })
      }
    }
  }
  return found
}

t.test('every literal message in the server has Chinese', async (t) => {
  const found = literalMessages()
  t.ok(found.length > 80, `the scan finds the messages (${found.length})`)
  const missing = found.filter(f => messageZh(f.text) == null)
  t.same(missing, [], 'no message without an entry in server/domain/field-messages.ts')
  for (const f of found) {
    const zh = messageZh(f.text)
    if (zh != null) t.match(zh, CJK, `${f.where}: ${f.text} → ${zh}`)
  }
})

t.test('the table: placeholders carry over, specific entries before general ones', async (t) => {
  t.equal(messageZh('must be at least 10 characters'), '至少 10 个字符')
  t.equal(messageZh('check character (18th) should be 7, got 0'), '校验码(第 18 位)应为 7,实际为 0')
  t.equal(messageZh('in 2025 for ai firms, billion needs 5.00 but above_scale already needs 9.00: a higher tier must need more revenue'),
    '2025 年 ai 领域企业:billion 门槛为 5.00,但 above_scale 已为 9.00;更高层级的营业收入门槛必须更高')
  t.equal(messageZh('no such message'), undefined, 'a message without an entry has no Chinese (it stays English)')
  for (const [en, zh] of FIELD_MESSAGES) {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map(m => m[1]).sort()
    t.same(names(zh), [...new Set(names(en))].sort(), `${en}: the same placeholders`)
  }
  // The catalogue puts reasons and details in Chinese too, and leaves English alone.
  t.equal(renderMessage('WEAK_PASSWORD', { reason: 'uses too few different characters' }, 'zh'), '密码不符合要求:包含的不同字符太少')
  t.equal(renderMessage('WEAK_PASSWORD', { reason: 'uses too few different characters' }, 'en'), 'The password is not acceptable: uses too few different characters')
  t.equal(renderMessage('CONFLICT', { detail: 'this is the last enabled administrator' }, 'zh'), '冲突:这是最后一个启用的管理员账户')
  const v = errors.validation([{ field: 'body.foundedOn', message: 'must not be in the future' }])
  t.equal(renderMessage(v.code, v.params, 'zh'), '请求无效:body.foundedOn: 不能晚于今天')
})

t.test('replies in Chinese for the messages the service writes', async (t) => {
  const app = await buildTestApp(t)
  const zh = { 'accept-language': 'zh-CN,zh;q=0.9' }
  const base = { uscc: uscc(8801), name: '语言测试有限公司', email: 'lang@example.test', password: PASSWORD, districtCode: '210202', domains: ['ai'], foundedOn: '2015-01-01' }
  const register = async (patch: Record<string, unknown>, headers: Record<string, string> = {}) =>
    (await app.inject({ method: 'POST', url: '/v1/auth/register', headers, payload: { ...base, ...patch } })).json()

  const future = await register({ foundedOn: '2999-01-01' }, zh)
  t.same(future.fields, [{ field: 'body.foundedOn', message: '不能晚于今天' }])
  t.equal(future.message, '请求无效:body.foundedOn: 不能晚于今天', 'the message on top too')
  const futureEn = await register({ foundedOn: '2999-01-01' })
  t.same(futureEn.fields, [{ field: 'body.foundedOn', message: 'must not be in the future' }], 'English by default')

  const weak = await register({ password: 'aaaaaaaaaaaa' }, zh)
  t.equal(weak.code, 'WEAK_PASSWORD')
  t.match(weak.message, /^密码不符合要求:/)
  t.match(weak.fields[0].message, CJK)
  t.notMatch(weak.message, /[a-z]{4}/, 'no English left in it')

  const code = uscc(8802)
  const badCheck = await register({ uscc: code.slice(0, 17) + (code[17] === '0' ? '1' : '0') }, zh)
  t.match(badCheck.message, /^统一社会信用代码无效:校验码\(第 18 位\)应为/)
  t.match(badCheck.fields[0].message, /^校验码/)

  const firm = await registerFirm(app)
  const declared = await app.inject({
    method: 'PUT', url: `/v1/enterprises/${firm.enterpriseId}/declarations/2025`, headers: { ...auth(firm.token), ...zh },
    payload: {
      operatingRevenue: '100.00', softwareRevenue: '200.00', rdExpense: '1.00', exportRevenue: '0.00', employees: 5, rdStaff: 9, patents: 0, softwareCopyrights: 0,
      totalLiabilities: '5.00'
    }
  })
  t.equal(declared.statusCode, 400, declared.body)
  const byField = Object.fromEntries(declared.json().fields.map((f: { field: string, message: string }) => [f.field, f.message]))
  t.equal(byField['body.softwareRevenue'], '不能超过营业收入(100.00)')
  t.equal(byField['body.totalLiabilities'], '须与资产总额(totalAssets)一并填写')
  t.equal(byField['body.rdStaff'], '不能超过从业人数(5)')
  for (const f of declared.json().fields) t.match(f.message, CJK, `${f.field} in Chinese`)

  const admin = await adminToken(app)
  const me = (await app.inject({ url: '/v1/me', headers: auth(admin) })).json()
  const last = await app.inject({ method: 'PATCH', url: `/v1/users/${me.id as string}`, headers: { ...auth(admin), ...zh }, payload: { disabled: true } })
  t.equal(last.statusCode, 409)
  t.equal(last.json().message, '冲突:这是最后一个启用的管理员账户', 'a conflict detail in Chinese')
})
