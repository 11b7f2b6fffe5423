import t from 'tap'
import { adminToken, auth, buildTestApp, createStaff } from './helper.ts'

// Reviewers read what to look for (评审要点) in Chinese: every judged indicator of
// the default rubrics carries guidanceZh beside the English guidance.
const CJK = /[\u4e00-\u9fff]/

t.test('the default rubrics give every judged indicator its guidance in Chinese and English', async (t) => {
  const app = await buildTestApp(t)
  const admin = await adminToken(app)
  const reviewer = await createStaff(app, 'reviewer')
  const list = (await app.inject({ url: '/v1/admin/rubrics?limit=50', headers: auth(admin) })).json()
  const defaults = list.items.filter((r: any) => r.version === 1)
  t.same(defaults.map((r: any) => r.program).sort(), ['innovative_growth', 'leading_platform', 'startup'])
  let judged = 0
  for (const listed of defaults) {
    // the reviewer's own door to a rubric answers the same indicators
    const rubric = (await app.inject({ url: `/v1/rubrics/${listed.id}`, headers: auth(reviewer.token) })).json()
    for (const i of rubric.indicators) {
      if (i.kind === 'judged') {
        judged++
        t.match(i.guidance, /^[A-Za-z]/, `${rubric.program}.${i.key} has English guidance`)
        t.match(i.guidanceZh, CJK, `${rubric.program}.${i.key} has Chinese guidance`)
        t.notOk(CJK.test(i.guidance), `${rubric.program}.${i.key}: the English text is not the Chinese one`)
      } else {
        t.equal(i.guidanceZh, undefined, `${rubric.program}.${i.key} is scored by bands: no guidance`)
      }
    }
  }
  t.ok(judged >= 8, `${judged} judged indicators`)
})

t.test('an administrator writes guidanceZh in a new version; it is limited like the English one', async (t) => {
  const app = await buildTestApp(t)
  const admin = await adminToken(app)
  const body = (guidanceZh: string) => ({
    program: 'startup',
    title: '评审要点测试',
    indicators: [
      { key: 'ip_count', nameZh: '知识产权数量', nameEn: 'IP', group: 'innovation', kind: 'auto', max: 50, source: 'ip_count', bands: [{ atLeast: '1', points: 50 }] },
      { key: 'pitch', nameZh: '路演表现', nameEn: 'Pitch', group: 'innovation', kind: 'judged', max: 50, guidance: 'Clarity of the pitch', guidanceZh }
    ],
    groupMinimums: {},
    passMark: 60,
    gradeBands: [{ grade: 'A', min: 85 }, { grade: 'D', min: 0 }]
  })
  const created = await app.inject({ method: 'POST', url: '/v1/admin/rubrics', headers: auth(admin), payload: body('路演表达是否清晰、重点是否突出') })
  t.equal(created.statusCode, 201, created.body)
  const read = (await app.inject({ url: `/v1/admin/rubrics/${created.json().id}`, headers: auth(admin) })).json()
  t.equal(read.indicators.find((i: any) => i.key === 'pitch').guidanceZh, '路演表达是否清晰、重点是否突出')
  const tooLong = await app.inject({ method: 'POST', url: '/v1/admin/rubrics', headers: auth(admin), payload: body('长'.repeat(2001)) })
  t.equal(tooLong.statusCode, 400)
  t.equal(tooLong.json().code, 'VALIDATION_FAILED')
})
