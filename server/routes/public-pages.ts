import formbody from '@fastify/formbody'
import rateLimit from '@fastify/rate-limit'
import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { AppError, errors, renderMessage } from '../domain/errors.ts'
import type { ExportLang } from '../lib/export.ts'
import { requestLanguage } from '../plugins/errors.ts'
import { lodgeObjection } from '../services/notices.ts'
import { noticePage, openNotice, type NoticeIssuer, type PageNotice } from '../services/public-notices.ts'

/**
 * The public notice page (公示), for anyone, without signing in and without
 * JavaScript: GET /notices renders the admissions under notice as HTML with
 * an objection form each; the form posts to POST /notices/:id/objections
 * (application/x-www-form-urlencoded) and the answer is a page with the
 * receipt reference, or the form again with what was wrong. The JSON API
 * (GET /v1/public/notices, POST /v1/public/notices/:id/objections) is the
 * same service underneath.
 */

const TEXT: Record<string, readonly [string, string]> = {
  title: ['重点企业培育库入库公示', 'Cultivation pool admissions under public notice'],
  lead: [
    '以下企业拟纳入大连市重点企业培育库,现予以公示。公示期内,任何单位或个人对公示企业有异议的,可通过下方表单实名提出,并留下联系方式。',
    'The firms below are to be admitted to Dalian\'s key-enterprise cultivation pool. Anyone who objects to an admission during its notice period may say so with the form below, leaving a contact.'
  ],
  issuer: ['公示单位', 'Published by'],
  contact: ['联系方式', 'Contact'],
  current: ['正在公示', 'Under notice now'],
  recent: ['近期结束的公示(近 {days} 天)', 'Notices ended in the last {days} days'],
  none: ['目前没有正在公示的企业。', 'No admission is under notice now.'],
  noneRecent: ['近期没有结束的公示。', 'No notice ended lately.'],
  firm: ['企业名称', 'Firm'],
  uscc: ['统一社会信用代码', 'Credit code'],
  program: ['培育计划', 'Program'],
  tier: ['规模等级', 'Tier'],
  period: ['公示期', 'Notice period'],
  status: ['状态', 'Status'],
  closed: ['公示期满', 'Ended'],
  object: ['提出异议', 'Object'],
  objectTo: ['对"{firm}"提出异议', 'Object to the admission of {firm}'],
  reason: ['异议事由', 'What is wrong with this admission'],
  yourContact: ['您的联系方式(姓名、电话或邮箱)', 'How we can reach you (name, phone or email)'],
  email: ['接收回执的邮箱(选填)', 'Email for the receipt (optional)'],
  submit: ['提交异议', 'Send the objection'],
  received: ['异议已收到', 'Objection received'],
  receipt: ['您的回执编号为 {reference}。工作人员将核实处理,处理结果将通过您留下的联系方式告知。', 'Your receipt reference is {reference}. The commission will look into it and tell you the outcome through the contact you gave.'],
  emailed: ['回执已发送至您的邮箱。', 'The receipt was also sent to your email.'],
  back: ['返回公示页面', 'Back to the notices'],
  fix: ['请修改以下内容后重新提交:', 'Please correct the following and send again:'],
  gone: ['该公示不存在或已结束,无法再提出异议。', 'This notice does not exist or has ended: it takes no more objections.'],
  tooMany: ['提交过于频繁,请稍后再试。', 'Too many objections from here; please try again later.'],
  language: ['English', '中文'],
  required: ['必填', 'required'],
  badEmail: ['邮箱格式不正确', 'not an email address'],
  tooLong: ['内容过长', 'too long']
}

const say = (lang: ExportLang, key: string, params: Record<string, string | number> = {}): string =>
  TEXT[key][lang === 'zh' ? 0 : 1].replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ''))

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
/** Text for HTML: every value from the database or the request goes through this. */
const esc = (value: unknown): string => String(value ?? '').replace(/[&<>"']/g, c => ESCAPES[c])

function day (d: Date, lang: ExportLang): string {
  return new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', { timeZone: 'Asia/Shanghai', dateStyle: 'long' }).format(d)
}

function page (lang: ExportLang, title: string, body: string): string {
  const other = lang === 'zh' ? 'en' : 'zh'
  return `<!doctype html>
<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/styles.css">
</head>
<body class="public">
<header class="masthead"><div class="bar">
<a class="brand" href="/notices?lang=${lang}"><img src="/favicon.svg" alt="" width="36" height="36"><span>
<span class="title">${lang === 'zh' ? '大连市重点企业培育库' : 'Dalian Key-Enterprise Cultivation Pool'}</span>
<span class="subtitle">${lang === 'zh' ? '软件和信息服务业 · 大连市工业和信息化局' : 'Software and information services · Dalian Municipal Bureau of Industry and Information Technology'}</span>
</span></a>
<div class="account"><a class="lang-link" href="/notices?lang=${other}" hreflang="${other}">${say(lang, 'language')}</a></div>
</div></header>
<main id="main">
${body}
</main>
</body>
</html>`
}

function issuerBlock (issuer: NoticeIssuer, lang: ExportLang): string {
  const zh = lang === 'zh'
  const contact = [zh ? issuer.contactZh : issuer.contactEn, issuer.phone, issuer.email, issuer.address].filter(v => v != null && v !== '').map(esc).join(' · ')
  return `<dl class="facts issuer">
<dt>${say(lang, 'issuer')}</dt><dd id="issuer">${esc(zh ? issuer.nameZh : issuer.nameEn)}</dd>
<dt>${say(lang, 'contact')}</dt><dd id="issuer-contact">${contact}</dd>
</dl>`
}

interface FormState { reason?: string, contact?: string, email?: string, problems?: Array<[string, string]> }

function objectionForm (n: PageNotice, lang: ExportLang, state: FormState = {}): string {
  const problem = (field: string) => {
    const p = state.problems?.find(([f]) => f === field)
    return p == null ? '' : `<div class="field-error" role="alert">${esc(p[1])}</div>`
  }
  const invalid = (field: string) => state.problems?.some(([f]) => f === field) === true ? ' aria-invalid="true"' : ''
  return `<form class="objection card" id="object-${esc(n.id)}" method="post" action="/notices/${esc(n.id)}/objections?lang=${lang}">
<h3>${esc(say(lang, 'objectTo', { firm: n.firmName }))}</h3>
${state.problems != null && state.problems.length > 0 ? `<div class="alert error" role="alert">${say(lang, 'fix')}<ul>${state.problems.map(([, m]) => `<li>${esc(m)}</li>`).join('')}</ul></div>` : ''}
<div class="field wide"><label for="reason-${esc(n.id)}">${say(lang, 'reason')}</label>
<textarea id="reason-${esc(n.id)}" name="reason" rows="4" maxlength="4000" required${invalid('reason')}>${esc(state.reason)}</textarea>${problem('reason')}</div>
<div class="field"><label for="contact-${esc(n.id)}">${say(lang, 'yourContact')}</label>
<input id="contact-${esc(n.id)}" name="contact" maxlength="200" required value="${esc(state.contact)}"${invalid('contact')}>${problem('contact')}</div>
<div class="field"><label for="email-${esc(n.id)}">${say(lang, 'email')}</label>
<input id="email-${esc(n.id)}" name="email" type="email" maxlength="254" value="${esc(state.email)}"${invalid('email')}>${problem('email')}</div>
<div class="buttons"><button type="submit" class="primary">${say(lang, 'submit')}</button></div>
</form>`
}

function noticeTable (rows: PageNotice[], lang: ExportLang, current: boolean): string {
  const head = [say(lang, 'firm'), say(lang, 'uscc'), say(lang, 'program'), say(lang, 'tier'), say(lang, 'period'), current ? '' : say(lang, 'status')]
  return `<div class="table-wrap"><table class="data notices">
<thead><tr>${head.map(h => `<th scope="col">${h}</th>`).join('')}</tr></thead>
<tbody>${rows.map(n => `<tr data-notice="${esc(n.id)}">
<td>${esc(n.firmName)}</td><td class="mono">${esc(n.uscc)}</td><td>${esc(n.program)}</td><td>${esc(n.tier)}</td>
<td>${esc(day(n.startsAt, lang))} – ${esc(day(n.endsAt, lang))}</td>
<td>${current ? `<a href="#object-${esc(n.id)}">${say(lang, 'object')}</a>` : say(lang, 'closed')}</td></tr>`).join('')}</tbody>
</table></div>`
}

async function renderList (request: FastifyRequest, lang: ExportLang, forms: Record<string, FormState> = {}): Promise<string> {
  const data = await noticePage(request.server.db, lang)
  const body = `<div class="page-head"><h1>${say(lang, 'title')}</h1></div>
<p class="muted">${say(lang, 'lead')}</p>
${issuerBlock(data.issuer, lang)}
<section class="card" id="current"><h2>${say(lang, 'current')}</h2>
${data.current.length === 0 ? `<p class="muted">${say(lang, 'none')}</p>` : noticeTable(data.current, lang, true)}
</section>
${data.current.map(n => objectionForm(n, lang, forms[n.id])).join('\n')}
<section class="card" id="recent"><h2>${say(lang, 'recent', { days: data.recentDays })}</h2>
${data.recent.length === 0 ? `<p class="muted">${say(lang, 'noneRecent')}</p>` : noticeTable(data.recent, lang, false)}
</section>`
  return page(lang, say(lang, 'title'), body)
}

function pageLang (request: FastifyRequest): ExportLang {
  const asked = (request.query as { lang?: unknown } | undefined)?.lang
  return asked === 'en' ? 'en' : asked === 'zh' ? 'zh' : requestLanguage(request, 'zh')
}

const sendHtml = (reply: FastifyReply, status: number, html: string) =>
  reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html)

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
const LangQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 5, description: 'zh or en (else the browser\'s language)' })) })
/** An HTML page answer, for the OpenAPI document. */
const htmlPage = (description: string) => ({ description, content: { 'text/html': { schema: Type.String() } } })

const publicPages: FastifyPluginAsyncTypebox = async (app) => {
  // Form posts are accepted here only: the JSON API keeps refusing other media types.
  await app.register(formbody, { bodyLimit: 32 * 1024 })
  await app.register(rateLimit, {
    global: false,
    ...app.rateLimitStore('notice-page'),
    errorResponseBuilder: (_req, ctx) => errors.rateLimited(Math.ceil(ctx.ttl / 1000))
  })

  // Errors on these pages are pages too (a rate limit, a body too large), never JSON.
  app.setErrorHandler(async (error, request, reply) => {
    const lang = pageLang(request)
    const status = error instanceof AppError ? error.statusCode : (error as { statusCode?: number }).statusCode ?? 500
    if (status >= 500) request.log.error({ err: error }, 'public page failed')
    const message = status === 429 ? say(lang, 'tooMany') : error instanceof AppError ? renderMessage(error.code, error.params, lang) : say(lang, 'gone')
    if (status === 429 && error instanceof AppError && typeof error.params.retryAfter === 'number') reply.header('retry-after', String(error.params.retryAfter))
    return sendHtml(reply, status >= 400 && status < 600 ? status : 500, page(lang, say(lang, 'title'),
      `<div class="alert error" role="alert">${esc(status >= 500 ? renderMessage('INTERNAL', { requestId: request.id }, lang) : message)}</div><p><a href="/notices?lang=${lang}">${say(lang, 'back')}</a></p>`))
  })

  app.get('/notices', {
    schema: {
      tags: ['notices'], summary: 'The public notice page (HTML, no sign-in): admissions under notice, the issuing body and contact, an objection form each',
      querystring: LangQuery,
      response: { 200: htmlPage('The page'), 400: htmlPage('A page saying what was wrong with the address') }
    }
  }, async (request, reply) => sendHtml(reply, 200, await renderList(request, pageLang(request))))

  app.post('/notices/:id/objections', {
    // The same budget as the JSON objections: a few per client per ten minutes.
    config: { rateLimit: { max: 5, timeWindow: 10 * 60 * 1000 } },
    attachValidation: true,
    schema: {
      tags: ['notices'], summary: 'Object from the public notice page (an HTML form post); answers a page with the receipt reference',
      params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
      querystring: LangQuery,
      body: Type.Object({
        reason: Type.Optional(Type.String()), contact: Type.Optional(Type.String()), email: Type.Optional(Type.String())
      }),
      consumes: ['application/x-www-form-urlencoded'],
      response: {
        201: htmlPage('A page with the receipt reference'),
        400: htmlPage('The form again, every problem marked, what was typed kept'),
        404: htmlPage('A page saying the notice is missing or over'),
        413: htmlPage('A page: the form was too large'),
        415: htmlPage('A page: not a form post')
      }
    }
  }, async (request, reply) => {
    const lang = pageLang(request)
    const body = (request.body ?? {}) as { reason?: unknown, contact?: unknown, email?: unknown }
    const text = (v: unknown) => typeof v === 'string' ? v.trim() : ''
    const form: FormState = { reason: text(body.reason), contact: text(body.contact), email: text(body.email) }
    const notice = /^[0-9a-f-]{36}$/i.test(request.params.id) ? await openNotice(app.db, request.params.id, lang) : null
    if (notice == null) {
      return sendHtml(reply, 404, page(lang, say(lang, 'title'),
        `<div class="alert error" role="alert">${say(lang, 'gone')}</div><p><a href="/notices?lang=${lang}">${say(lang, 'back')}</a></p>`))
    }
    const problems: Array<[string, string]> = []
    if (form.reason === '') problems.push(['reason', `${say(lang, 'reason')}:${say(lang, 'required')}`])
    else if ((form.reason ?? '').length > 4000) problems.push(['reason', `${say(lang, 'reason')}:${say(lang, 'tooLong')}`])
    if (form.contact === '') problems.push(['contact', `${say(lang, 'yourContact')}:${say(lang, 'required')}`])
    else if ((form.contact ?? '').length > 200) problems.push(['contact', `${say(lang, 'yourContact')}:${say(lang, 'tooLong')}`])
    if (form.email !== '' && (!EMAIL.test(form.email ?? '') || (form.email ?? '').length > 254)) problems.push(['email', `${say(lang, 'email')}:${say(lang, 'badEmail')}`])
    if (problems.length > 0) return sendHtml(reply, 400, await renderList(request, lang, { [notice.id]: { ...form, problems } }))
    try {
      const receipt = await lodgeObjection(app.db, notice.id, { reason: form.reason ?? '', contact: form.contact ?? '', ...(form.email !== '' ? { email: form.email } : {}) },
        { actorId: null, actorRole: 'public', requestId: request.id })
      return sendHtml(reply, 201, page(lang, say(lang, 'received'), `<div class="page-head"><h1>${say(lang, 'received')}</h1></div>
<div class="alert success" role="status"><p>${esc(say(lang, 'objectTo', { firm: notice.firmName }))}</p>
<p>${esc(say(lang, 'receipt', { reference: receipt.reference }))}</p>
${receipt.emailed ? `<p>${say(lang, 'emailed')}</p>` : ''}</div>
<p class="reference mono" id="receipt-reference">${esc(receipt.reference)}</p>
<p><a href="/notices?lang=${lang}">${say(lang, 'back')}</a></p>`))
    } catch (err) {
      if (err instanceof AppError && err.statusCode < 500) {
        return sendHtml(reply, err.statusCode, page(lang, say(lang, 'title'),
          `<div class="alert error" role="alert">${esc(renderMessage(err.code, err.params, lang))}</div><p><a href="/notices?lang=${lang}">${say(lang, 'back')}</a></p>`))
      }
      throw err
    }
  })
}
export default publicPages
