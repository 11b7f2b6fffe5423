import t from 'tap'
import { createHash } from 'node:crypto'
import { and, eq, like } from 'drizzle-orm'
import { auditLog, documents } from '../db/schema/index.ts'
import { contentDisposition, detectDocumentType, cleanDocumentName } from '../server/domain/documents.ts'
import { auth, buildTestApp, createStaff, registerFirm } from './helper.ts'
import { declare, JPEG, multipartFile, noLoadShedding, openCall, PDF, PNG } from './application-fixtures.ts'

const MiB = 1024 * 1024
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

// One app (one database) for the file; each subtest counts only its own documents.
t.setTimeout(600_000)
const app = await buildTestApp(t, noLoadShedding)

t.test('the type comes from the magic bytes', async (t) => {
  const cases: Array<[string, Buffer, string | null]> = [
    ['PDF', PDF, 'application/pdf'],
    ['PNG', PNG, 'image/png'],
    ['JPEG', JPEG, 'image/jpeg'],
    ['empty', Buffer.alloc(0), null],
    ['text', Buffer.from('hello'), null],
    ['"%PDF" without the dash', Buffer.from('%PDF1.4'), null],
    ['PNG signature cut short', PNG.subarray(0, 7), null],
    ['GIF', Buffer.from('GIF89a'), null],
    ['ZIP (docx)', Buffer.from('504b030414000600', 'hex'), null],
    ['Windows executable', Buffer.from('4d5a90000300', 'hex'), null],
    ['JPEG SOI alone', Buffer.from('ffd8', 'hex'), null]
  ]
  for (const [name, content, type] of cases) t.equal(detectDocumentType(content), type, name)
  t.equal(cleanDocumentName('C:\\Users\\me\\审计报告.pdf', 'application/pdf'), '审计报告.pdf')
  t.equal(cleanDocumentName('../../etc/passwd', 'application/pdf'), 'passwd.pdf', 'the extension follows the type')
  t.equal(cleanDocumentName('..', 'image/png'), 'document.png')
  t.equal(cleanDocumentName('a"b\r\nc.pdf', 'application/pdf'), 'abc.pdf')
  t.equal(contentDisposition('审计报告 2025.pdf'), 'attachment; filename="____ 2025.pdf"; filename*=UTF-8\'\'%E5%AE%A1%E8%AE%A1%E6%8A%A5%E5%91%8A%202025.pdf')
})

t.test('application documents: upload, list, download, delete; frozen at submit', async (t) => {
  const officer = await createStaff(app, 'officer')
  const reviewer = await createStaff(app, 'reviewer')
  const firm = await registerFirm(app)
  const other = await registerFirm(app)
  await declare(app, firm, 2025, { operatingRevenue: '150000000.00', rdExpense: '6000000.00' })
  const call = await openCall(app, officer.token)
  const application = (await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId: call.id } })).json()
  const base = `/v1/applications/${application.id}/documents`
  const upload = async (token: string, name: string, content: Buffer, type?: string, url = base) => {
    const m = multipartFile(name, content, type)
    return await app.inject({ method: 'POST', url, headers: { ...auth(token), ...m.headers }, payload: m.payload })
  }

  // The declared name and Content-Type do not matter: the content does.
  const png = await upload(firm.token, 'scan.pdf', PNG, 'application/pdf')
  t.equal(png.statusCode, 201, png.body)
  t.match(png.json(), { name: 'scan.png', type: 'image/png', size: PNG.length, sha256: sha(PNG) })
  const pdf = await upload(firm.token, '审计报告 2025.pdf', PDF, 'application/pdf')
  t.match(pdf.json(), { name: '审计报告 2025.pdf', type: 'application/pdf', sha256: sha(PDF) })
  const jpeg = await upload(firm.token, 'licence', JPEG, 'text/plain')
  t.match(jpeg.json(), { type: 'image/jpeg' })

  for (const [name, content, type] of [
    ['report.pdf', Buffer.from('just text, named like a PDF'), 'application/pdf'],
    ['empty.pdf', Buffer.alloc(0), 'application/pdf'],
    ['setup.exe.png', Buffer.from('4d5a9000030000000400', 'hex'), 'image/png']
  ] as const) {
    const res = await upload(firm.token, name, content, type)
    t.equal(res.statusCode, 415, name)
    t.equal(res.json().code, 'UNSUPPORTED_DOCUMENT_TYPE', name)
    t.match(res.json().message, /PDF, PNG or JPEG/)
  }
  const json = await app.inject({ method: 'POST', url: base, headers: auth(firm.token), payload: { file: 'x' } })
  t.equal(json.statusCode, 415, 'not multipart')
  const noFile = await app.inject({
    method: 'POST', url: base,
    headers: { ...auth(firm.token), 'content-type': 'multipart/form-data; boundary=X' },
    payload: '--X\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n--X--\r\n'
  })
  t.equal(noFile.statusCode, 400, 'a form without a file')
  t.equal(noFile.json().code, 'VALIDATION_FAILED')

  const list = await app.inject({ url: base, headers: auth(firm.token) })
  t.same(list.json().map((d: { type: string }) => d.type), ['image/png', 'application/pdf', 'image/jpeg'], 'in upload order')
  t.same((await app.inject({ url: base, headers: auth(officer.token) })).json(), list.json(), 'officers see the same')

  const download = await app.inject({ url: `/v1/documents/${pdf.json().id}`, headers: auth(firm.token) })
  t.equal(download.statusCode, 200)
  t.equal(download.headers['content-type'], 'application/pdf')
  t.equal(download.headers['x-content-type-options'], 'nosniff')
  t.equal(download.headers['content-disposition'], contentDisposition('审计报告 2025.pdf'))
  t.same(download.rawPayload, PDF, 'the exact bytes')
  t.equal((await app.inject({ url: `/v1/documents/${png.json().id}`, headers: auth(officer.token) })).headers['content-type'], 'image/png')

  // Strangers: 404 exactly like a missing document.
  const missing = await app.inject({ url: '/v1/documents/00000000-0000-4000-8000-000000000000', headers: auth(other.token) })
  for (const [token, who] of [[other.token, 'another firm'], [reviewer.token, 'an unassigned reviewer']] as const) {
    const res = await app.inject({ url: `/v1/documents/${pdf.json().id}`, headers: auth(token) })
    t.equal(res.statusCode, 404, who)
    t.same(res.json(), missing.json(), `${who}: same body as missing`)
    t.equal((await app.inject({ url: base, headers: auth(token) })).statusCode, 404, `${who} cannot list`)
  }
  t.equal((await upload(other.token, 'x.pdf', PDF)).statusCode, 404, 'another firm cannot upload')
  const del = await app.inject({ method: 'DELETE', url: `/v1/documents/${jpeg.json().id}`, headers: auth(other.token) })
  t.equal(del.statusCode, 404, 'nor delete')

  const removed = await app.inject({ method: 'DELETE', url: `/v1/documents/${jpeg.json().id}`, headers: auth(firm.token) })
  t.equal(removed.statusCode, 204)
  t.equal((await app.inject({ url: `/v1/documents/${jpeg.json().id}`, headers: auth(firm.token) })).statusCode, 404)

  const submitted = await app.inject({ method: 'POST', url: `/v1/applications/${application.id}/submit`, headers: auth(firm.token) })
  t.equal(submitted.json().state, 'submitted')
  t.same(submitted.json().snapshot.documents.map((d: { sha256: string }) => d.sha256), [sha(PNG), sha(PDF)], 'the snapshot lists the documents it was submitted with')
  const late = await upload(firm.token, 'late.pdf', PDF)
  t.equal(late.statusCode, 409, 'no upload after submit')
  t.equal(late.json().code, 'INVALID_STATE')
  const lateDelete = await app.inject({ method: 'DELETE', url: `/v1/documents/${pdf.json().id}`, headers: auth(firm.token) })
  t.equal(lateDelete.statusCode, 409, 'no delete after submit')
  t.equal((await app.db.select().from(documents).where(eq(documents.applicationId, application.id))).length, 2)

  const actions = (await app.db.select().from(auditLog).where(and(eq(auditLog.actorId, firm.userId), like(auditLog.action, 'document.%'))).orderBy(auditLog.id)).map(e => e.action)
  t.same(actions, ['document.upload', 'document.upload', 'document.upload', 'document.delete'], 'uploads and the delete are audited; refusals are not')
})

t.test('size and count limits', async (t) => {
  const officer = await createStaff(app, 'officer')
  const firm = await registerFirm(app)
  const call = await openCall(app, officer.token)
  const application = (await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId: call.id } })).json()
  const url = `/v1/applications/${application.id}/documents`
  const upload = async (name: string, content: Buffer) => {
    const m = multipartFile(name, content, 'application/pdf')
    return await app.inject({ method: 'POST', url, headers: { ...auth(firm.token), ...m.headers }, payload: m.payload })
  }
  const pdfOf = (size: number) => Buffer.concat([PDF, Buffer.alloc(size - PDF.length, 0x20)])

  const exactly = await upload('ten.pdf', pdfOf(10 * MiB))
  t.equal(exactly.statusCode, 201, '10 MiB exactly is accepted')
  t.equal(exactly.json().size, 10 * MiB)
  const over = await upload('big.pdf', pdfOf(10 * MiB + 1))
  t.equal(over.statusCode, 413, 'one byte more is not')
  t.equal(over.json().code, 'DOCUMENT_TOO_LARGE')
  t.match(over.json().message, /at most 10 MiB/)

  for (let i = 2; i <= 20; i++) t.equal((await upload(`p${i}.pdf`, PDF)).statusCode, 201, `document ${i}`)
  const twentyFirst = await upload('p21.pdf', PDF)
  t.equal(twentyFirst.statusCode, 409)
  t.equal(twentyFirst.json().code, 'DOCUMENT_LIMIT')
  t.equal((await app.db.select({ id: documents.id }).from(documents).where(eq(documents.applicationId, application.id))).length, 20)
})

t.test('declaration documents', async (t) => {
  const officer = await createStaff(app, 'officer')
  const firm = await registerFirm(app)
  const other = await registerFirm(app)
  await declare(app, firm, 2025, { operatingRevenue: '150000000.00', rdExpense: '6000000.00' })
  const url = `/v1/enterprises/${firm.enterpriseId}/declarations/2025/documents`
  const upload = async (token: string, target = url) => {
    const m = multipartFile('资产负债表.pdf', PDF)
    return await app.inject({ method: 'POST', url: target, headers: { ...auth(token), ...m.headers }, payload: m.payload })
  }
  const up = await upload(firm.token)
  t.equal(up.statusCode, 201, up.body)
  t.match(up.json(), { name: '资产负债表.pdf', type: 'application/pdf', sha256: sha(PDF) })
  t.equal((await upload(firm.token, `/v1/enterprises/${firm.enterpriseId}/declarations/2019/documents`)).statusCode, 404, 'no declaration for 2019')
  t.equal((await upload(other.token)).statusCode, 404, 'another firm\'s declaration')
  t.same((await app.inject({ url, headers: auth(firm.token) })).json().map((d: { id: string }) => d.id), [up.json().id])
  t.equal((await app.inject({ url, headers: auth(officer.token) })).statusCode, 200)
  t.equal((await app.inject({ url, headers: auth(other.token) })).statusCode, 404)
  t.equal((await app.inject({ url: `/v1/documents/${up.json().id}`, headers: auth(officer.token) })).statusCode, 200)
  t.equal((await app.inject({ url: `/v1/documents/${up.json().id}`, headers: auth(other.token) })).statusCode, 404)

  // Once an application graded on the 2025 declaration is submitted, its evidence stays.
  const second = await upload(firm.token)
  const call = await openCall(app, officer.token)
  const application = (await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId: call.id } })).json()
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/documents/${second.json().id}`, headers: auth(firm.token) })).statusCode, 204, 'deletable while no submitted application uses it')
  await app.inject({ method: 'POST', url: `/v1/applications/${application.id}/submit`, headers: auth(firm.token) })
  const frozen = await app.inject({ method: 'DELETE', url: `/v1/documents/${up.json().id}`, headers: auth(firm.token) })
  t.equal(frozen.statusCode, 409)
  t.equal(frozen.json().code, 'DOCUMENT_FROZEN')
})

t.test('reviewers see the documents of the applications they grade, until they declare a conflict', async (t) => {
  const officer = await createStaff(app, 'officer')
  const assigned = await createStaff(app, 'reviewer')
  const bystander = await createStaff(app, 'reviewer')
  const firm = await registerFirm(app)
  await declare(app, firm, 2025, { operatingRevenue: '150000000.00', rdExpense: '6000000.00' })
  const call = await openCall(app, officer.token)
  const application = (await app.inject({ method: 'POST', url: '/v1/applications', headers: auth(firm.token), payload: { callId: call.id } })).json()
  const m = multipartFile('report.pdf', PDF)
  const doc = (await app.inject({ method: 'POST', url: `/v1/applications/${application.id}/documents`, headers: { ...auth(firm.token), ...m.headers }, payload: m.payload })).json()
  const d = multipartFile('licence.png', PNG)
  const declDoc = (await app.inject({ method: 'POST', url: `/v1/enterprises/${firm.enterpriseId}/declarations/2025/documents`, headers: { ...auth(firm.token), ...d.headers }, payload: d.payload })).json()
  await app.inject({ method: 'POST', url: `/v1/applications/${application.id}/submit`, headers: auth(firm.token) })
  const assign = await app.inject({ method: 'POST', url: `/v1/applications/${application.id}/assignments`, headers: auth(officer.token), payload: { reviewerIds: [assigned.id] } })
  t.equal(assign.statusCode, 201, assign.body)

  const urls = [
    `/v1/applications/${application.id}`,
    `/v1/applications/${application.id}/documents`,
    `/v1/documents/${doc.id}`,
    `/v1/enterprises/${firm.enterpriseId}/declarations/2025/documents`,
    `/v1/documents/${declDoc.id}`
  ]
  for (const url of urls) {
    t.equal((await app.inject({ url, headers: auth(assigned.token) })).statusCode, 200, `assigned reviewer: ${url}`)
    t.equal((await app.inject({ url, headers: auth(bystander.token) })).statusCode, 404, `other reviewer: ${url}`)
  }
  const listed = await app.inject({ url: '/v1/applications', headers: auth(assigned.token) })
  t.same(listed.json().items.map((a: { id: string }) => a.id), [application.id], 'the assigned reviewer lists it')

  const conflict = await app.inject({ method: 'POST', url: '/v1/me/conflicts', headers: auth(assigned.token), payload: { uscc: firm.uscc, reason: 'former employer' } })
  t.equal(conflict.statusCode, 201, conflict.body)
  for (const url of urls) t.equal((await app.inject({ url, headers: auth(assigned.token) })).statusCode, 404, `after declaring a conflict: ${url}`)
  t.same((await app.inject({ url: '/v1/applications', headers: auth(assigned.token) })).json().items, [])
})
