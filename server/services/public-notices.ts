import { and, asc, desc, eq, gt, lte, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { enterprises, publicNotices } from '../../db/schema/index.ts'
import { loadLabels, labelOf, type ExportLang, type Labels } from '../lib/export.ts'
import { policyNumber, policyValues } from './policy.ts'

/**
 * What the public notice page (GET /notices) shows: the admissions under
 * notice now, those whose notice ended lately, and who publishes them. Never a
 * firm's figures: name, credit code, program, tier and period only.
 */

/**
 * Who publishes the notices and how to reach them: policy
 * `notice_issuing_body` ({ zh, en }) and `notice_contact` ({ zh, en, phone,
 * email, address }), each missing field from the default (the values the
 * migrations seed).
 */
export interface NoticeIssuer {
  nameZh: string, nameEn: string, contactZh: string, contactEn: string, phone: string | null, email: string | null,
  address: string | null
}

export const DEFAULT_ISSUER: NoticeIssuer = {
  nameZh: '大连市工业和信息化局',
  nameEn: 'Dalian Municipal Bureau of Industry and Information Technology',
  contactZh: '软件和信息服务业处',
  contactEn: 'Software and Information Services Division',
  phone: null,
  email: null,
  address: null
}

export async function noticeIssuer (db: Db): Promise<NoticeIssuer> {
  const stored = await policyValues(db, ['notice_issuing_body', 'notice_contact'])
  const text = (v: unknown, key: string): string | null => {
    const x = v != null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined
    return typeof x === 'string' && x.trim() !== '' ? x.trim() : null
  }
  const body = stored.get('notice_issuing_body')
  const contact = stored.get('notice_contact')
  return {
    nameZh: text(body, 'zh') ?? DEFAULT_ISSUER.nameZh,
    nameEn: text(body, 'en') ?? DEFAULT_ISSUER.nameEn,
    contactZh: text(contact, 'zh') ?? DEFAULT_ISSUER.contactZh,
    contactEn: text(contact, 'en') ?? DEFAULT_ISSUER.contactEn,
    phone: text(contact, 'phone'),
    email: text(contact, 'email'),
    address: text(contact, 'address')
  }
}

export interface PageNotice {
  id: string
  firmName: string
  uscc: string
  program: string
  tier: string
  startsAt: Date
  endsAt: Date
  status: string
}

const columns = {
  id: publicNotices.id, firmName: enterprises.name, uscc: enterprises.uscc, programCode: publicNotices.programCode, tierCode: publicNotices.tierCode,
  startsAt: publicNotices.startsAt, endsAt: publicNotices.endsAt, status: publicNotices.status
}

type NoticeRow = { id: string, firmName: string, uscc: string, programCode: string, tierCode: string, startsAt: Date, endsAt: Date, status: string }

/** A notice row with its program and tier named in `lang`. */
const pageNotice = (labels: Labels, lang: ExportLang) => (r: NoticeRow): PageNotice => ({
  id: r.id, firmName: r.firmName, uscc: r.uscc, program: labelOf(labels, 'program', r.programCode, lang), tier: labelOf(labels, 'tier', r.tierCode, lang),
  startsAt: r.startsAt, endsAt: r.endsAt, status: r.status
})

/**
 * The page's notices, labelled in `lang`: every notice running now (oldest
 * first, at most `limit`), and the notices of the last `recent_notice_days`
 * (policy, default 30) that ended or were withdrawn, newest first.
 */
export async function noticePage (db: Db, lang: ExportLang, now = new Date(), limit = 500) {
  const days = await policyNumber(db, 'recent_notice_days', 30)
  const since = new Date(now.getTime() - Math.max(0, days) * 86_400_000)
  const [current, recent, labels, issuer] = await Promise.all([
    db.select(columns).from(publicNotices).innerJoin(enterprises, eq(enterprises.id, publicNotices.enterpriseId))
      .where(and(eq(publicNotices.status, 'open'), lte(publicNotices.startsAt, now), gt(publicNotices.endsAt, now)))
      .orderBy(asc(publicNotices.startsAt), asc(publicNotices.id)).limit(limit),
    db.select(columns).from(publicNotices).innerJoin(enterprises, eq(enterprises.id, publicNotices.enterpriseId))
      .where(and(lte(publicNotices.endsAt, now), gt(publicNotices.endsAt, since), sql`${publicNotices.status} <> 'revoked'`))
      .orderBy(desc(publicNotices.endsAt), desc(publicNotices.id)).limit(limit),
    loadLabels(db),
    noticeIssuer(db)
  ])
  const view = pageNotice(labels, lang)
  return { current: current.map(view), recent: recent.map(view), issuer, recentDays: days }
}

/** One notice of the page, when it is open for objections now. */
export async function openNotice (db: Db, id: string, lang: ExportLang, now = new Date()): Promise<PageNotice | null> {
  const [r] = await db.select(columns).from(publicNotices).innerJoin(enterprises, eq(enterprises.id, publicNotices.enterpriseId))
    .where(and(eq(publicNotices.id, id), eq(publicNotices.status, 'open'), lte(publicNotices.startsAt, now), gt(publicNotices.endsAt, now)))
  return r == null ? null : pageNotice(await loadLabels(db), lang)(r)
}
