import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { eq } from 'drizzle-orm'
import PDFDocument from 'pdfkit'
import type { Db } from '../../db/client.ts'
import { applications, calls, enterprises, programs } from '../../db/schema/index.ts'
import { errors } from '../domain/errors.ts'
import type { Principal } from '../domain/access.ts'
import { findVisibleApplication } from './application-reads.ts'
import { policyValues } from './policy.ts'

/**
 * Decision letters (issue 13): `GET /v1/applications/:id/letter`, a PDF in
 * Chinese for the owning firm and officers once the application is decided
 * (admitted or rejected; before that 409 INVALID_STATE): the firm and its
 * credit code, the program and the call, the decision and its reason, the
 * date of the decision and the issuing body (policy `letter_issuing_body`,
 * else the notice's issuing body, else 大连市工业和信息化局).
 *
 * The font is Noto Sans SC (Noto Sans Hans, OFL) shipped in the npm package
 * @embedpdf/fonts-sc; pdfkit embeds the subset of glyphs the letter uses.
 */

export const DEFAULT_ISSUING_BODY = '大连市工业和信息化局'
const DECIDED_STATES = new Set(['admitted', 'rejected'])

let fontCache: { regular: Buffer, bold: Buffer } | null = null
/** The package's font files, read once (the package's entry is dist/, the fonts beside it in fonts/). */
function fonts (): { regular: Buffer, bold: Buffer } {
  if (fontCache == null) {
    const dir = join(dirname(createRequire(import.meta.url).resolve('@embedpdf/fonts-sc')), '..', 'fonts')
    fontCache = { regular: readFileSync(join(dir, 'NotoSansHans-Regular.otf')), bold: readFileSync(join(dir, 'NotoSansHans-Bold.otf')) }
  }
  return fontCache
}

export interface LetterData {
  applicationId: string
  firmName: string
  uscc: string
  programName: string
  callTitle: string
  callYear: number
  decision: 'admit' | 'reject'
  reason: string | null
  decidedAt: Date
  issuingBody: string
}

/** A date as the letter prints it: 2026年12月1日, in Beijing time. */
export function chineseDate (d: Date): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'numeric', day: 'numeric' }).formatToParts(d)
  const get = (t: string) => parts.find(p => p.type === t)?.value ?? ''
  return `${get('year')}年${Number(get('month'))}月${Number(get('day'))}日`
}

/** The decision in words. */
export const DECISION_TEXT = { admit: '予以入库', reject: '不予入库' } as const

/** What the letter shows, if `user` may have it. */
export async function letterData (db: Db, user: Principal, id: string): Promise<LetterData> {
  if (user.role === 'enterprise') {
    const { application } = await findVisibleApplication(db, user, id)
    if (application.enterpriseId !== user.enterpriseId) throw errors.notFound()
  } else if (user.role !== 'officer') {
    throw errors.forbidden()
  }
  const [row] = await db.select({
    a: applications, firmName: enterprises.name, uscc: enterprises.uscc, callTitle: calls.title, callYear: calls.year,
    programName: programs.nameZh
  })
    .from(applications).innerJoin(calls, eq(calls.id, applications.callId)).innerJoin(enterprises, eq(enterprises.id, applications.enterpriseId))
    .innerJoin(programs, eq(programs.code, calls.programCode)).where(eq(applications.id, id))
  if (row == null) throw errors.notFound()
  const a = row.a
  if (!DECIDED_STATES.has(a.state) || a.decision == null || a.decidedAt == null) {
    throw errors.invalidState(a.state, 'a decision letter exists once the application is admitted or rejected')
  }
  const policy = await policyValues(db, ['letter_issuing_body', 'notice_issuing_body'])
  const letterBody = policy.get('letter_issuing_body')
  const noticeBody = policy.get('notice_issuing_body') as { zh?: unknown } | undefined
  const issuingBody = typeof letterBody === 'string' && letterBody.trim() !== ''
    ? letterBody
    : typeof noticeBody?.zh === 'string' && noticeBody.zh !== '' ? noticeBody.zh : DEFAULT_ISSUING_BODY
  return {
    applicationId: a.id,
    firmName: row.firmName,
    uscc: row.uscc,
    programName: row.programName,
    callTitle: row.callTitle,
    callYear: row.callYear,
    decision: a.decision as 'admit' | 'reject',
    reason: a.decisionReason ?? null,
    decidedAt: a.decidedAt,
    issuingBody
  }
}

/** Renders the letter as a PDF (A4). */
export async function renderLetter (d: LetterData): Promise<Buffer> {
  const f = fonts()
  const doc = new PDFDocument({
    size: 'A4', margins: { top: 72, bottom: 72, left: 72, right: 72 },
    info: { Title: `申报评审结果通知书 ${d.firmName}`, Author: d.issuingBody, Subject: d.callTitle, Producer: 'peiyu', Creator: 'peiyu' }
  })
  const chunks: Buffer[] = []
  doc.on('data', (c: Buffer) => chunks.push(c))
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
  })
  doc.registerFont('zh', f.regular)
  doc.registerFont('zh-bold', f.bold)
  const width = doc.page.width - 144
  doc.font('zh-bold').fontSize(20).text('申报评审结果通知书', { align: 'center', width })
  doc.moveDown(0.4)
  doc.font('zh').fontSize(10).fillColor('#555555').text(`申报编号：${d.applicationId}`, { align: 'center', width })
  doc.fillColor('#000000').moveDown(1.5)
  doc.font('zh').fontSize(12.5)
  doc.text(`${d.firmName}（统一社会信用代码：${d.uscc}）：`, { width })
  doc.moveDown(0.8)
  const paragraph = { width, indent: 25, lineGap: 6, align: 'justify' as const }
  doc.text(`贵单位申报的“${d.callTitle}”（${d.programName}，${d.callYear}年度）已完成评审。经评审委员会审议，决定对贵单位的申报${DECISION_TEXT[d.decision]}。`, paragraph)
  doc.moveDown(0.6)
  doc.font('zh-bold').text('评审决定：', { continued: true, width }).font('zh').text(DECISION_TEXT[d.decision], { width })
  doc.moveDown(0.3)
  doc.font('zh-bold').text('理由：', { continued: true, width }).font('zh').text(d.reason ?? '依据评审细则，综合评审得分及评审意见作出。', { width, lineGap: 4 })
  doc.moveDown(0.8)
  doc.text(d.decision === 'admit'
    ? '入库名单将按规定予以公示。公示期满无异议或异议不成立的，正式纳入重点企业培育库。'
    : '如对评审结果有异议，可自收到本通知之日起按规定期限，通过系统提出申诉。', paragraph)
  doc.moveDown(0.6)
  doc.text('特此通知。', paragraph)
  doc.moveDown(3)
  doc.text(d.issuingBody, { align: 'right', width })
  doc.moveDown(0.3)
  doc.text(chineseDate(d.decidedAt), { align: 'right', width })
  doc.end()
  return await done
}
