/* global location */
// The API client: the public /v1 API only. The access token lives in
// sessionStorage (gone when the tab closes); Accept-Language follows the UI
// language so the API's error messages match the screen.
import { getLang } from './i18n.js'

const TOKEN_KEY = 'peiyu.token'

export class ApiError extends Error {
  constructor (status, body) {
    super(body?.message ?? `HTTP ${status}`)
    this.status = status
    this.code = body?.code ?? (status === 0 ? 'NETWORK' : 'HTTP_' + status)
    this.fields = Array.isArray(body?.fields) ? body.fields : []
    this.details = body?.details
  }
}

let onUnauthorized = () => {}
export function setUnauthorizedHandler (fn) { onUnauthorized = fn }

export const session = {
  get token () { return sessionStorage.getItem(TOKEN_KEY) },
  set token (value) {
    if (value == null) sessionStorage.removeItem(TOKEN_KEY)
    else sessionStorage.setItem(TOKEN_KEY, value)
  }
}

function acceptLanguage () {
  return getLang() === 'zh' ? 'zh-CN,zh;q=0.9,en;q=0.5' : 'en,zh-CN;q=0.5'
}

function url (path, query) {
  const u = new URL(path, location.origin)
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v != null && v !== '') u.searchParams.set(k, String(v))
  }
  return u.pathname + u.search
}

/**
 * One request. Returns the parsed body (or null for 204). Throws ApiError with
 * the API's code, message and field errors.
 */
export async function request (method, path, { body, query, headers = {}, ifMatch, idempotencyKey, accept } = {}) {
  const h = { 'accept-language': acceptLanguage(), accept: accept ?? 'application/json', ...headers }
  if (session.token != null) h.authorization = 'Bearer ' + session.token
  if (body !== undefined) h['content-type'] = 'application/json'
  if (ifMatch != null) h['if-match'] = String(ifMatch)
  if (idempotencyKey != null) h['idempotency-key'] = idempotencyKey
  let res
  try {
    res = await fetch(url(path, query), { method, headers: h, body: body !== undefined ? JSON.stringify(body) : undefined })
  } catch {
    throw new ApiError(0, { message: getLang() === 'zh' ? '无法连接服务器,请检查网络后重试。' : 'Cannot reach the server; check the connection and try again.' })
  }
  if (accept === 'text/csv' && res.ok) return await res.blob()
  const text = await res.text()
  let data = null
  if (text !== '') {
    try { data = JSON.parse(text) } catch { data = { message: text } }
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data)
    if (res.status === 401 && path !== '/v1/auth/login') onUnauthorized(err)
    throw err
  }
  return data
}

export const api = {
  get: (path, opts) => request('GET', path, opts),
  post: (path, body, opts) => request('POST', path, { ...opts, body: body ?? {} }),
  put: (path, body, opts) => request('PUT', path, { ...opts, body }),
  patch: (path, body, opts) => request('PATCH', path, { ...opts, body })
}

/** Every page of a list endpoint ({ items, nextCursor }), up to a limit. */
export async function listAll (path, query = {}, max = 2000) {
  const items = []
  let cursor
  do {
    const page = await api.get(path, { query: { ...query, limit: 500, cursor } })
    if (Array.isArray(page)) return page
    items.push(...page.items)
    cursor = page.nextCursor
  } while (cursor != null && items.length < max)
  return items
}

/** Downloads a CSV export (the API adds the UTF-8 BOM) as a file. */
export async function downloadCsv (path, query, filename) {
  const blob = await request('GET', path, { query: { ...query, format: 'csv' }, accept: 'text/csv' })
  const href = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = href
  a.download = filename
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(href), 10_000)
}

/** A fresh Idempotency-Key for one user action (kept while the action is retried). */
export function newIdempotencyKey () {
  return crypto.randomUUID()
}
