// Shared set-up for the calls, applications and documents tests.
import type { FastifyInstance } from 'fastify'
import type { AppConfig } from '../server/config.ts'
import { auth, testConfig } from './helper.ts'

const HOUR = 3600_000

/**
 * These tests are about calls, applications and documents, not overload: on
 * a shared, busy machine PGlite (which runs on the event loop) and 10 MiB
 * uploads can push the loop delay past the 1 s shedding threshold and turn
 * any request into a 503. Load shedding has its own tests.
 */
export const noLoadShedding: Partial<AppConfig> = {
  overload: { ...testConfig().overload, maxEventLoopDelayMs: 0, dbHealthIntervalMs: 0 }
}

/** Opens a call as `officerToken`; open now unless the window is given. */
export async function openCall (app: FastifyInstance, officerToken: string, overrides: Record<string, unknown> = {}): Promise<any> {
  const now = Date.now()
  const res = await app.inject({
    method: 'POST', url: '/v1/calls', headers: auth(officerToken),
    payload: {
      program: 'innovative_growth', year: 2025, title: '2025 创新型企业成长计划',
      opensAt: new Date(now - HOUR).toISOString(), closesAt: new Date(now + 24 * HOUR).toISOString(),
      reviewersPerApplication: 3, ...overrides
    }
  })
  if (res.statusCode !== 201) throw new Error(`open call failed: ${res.statusCode} ${res.body}`)
  return res.json()
}

export interface Figures {
  operatingRevenue: string
  softwareRevenue?: string
  rdExpense: string
  employees?: number
  rdStaff?: number
}

/** The firm declares a year's figures through the API, as a user would; returns the tier. */
export async function declare (app: FastifyInstance, firm: { token: string, enterpriseId: string }, year: number, f: Figures): Promise<string> {
  const res = await app.inject({
    method: 'PUT', url: `/v1/enterprises/${firm.enterpriseId}/declarations/${year}`, headers: auth(firm.token),
    payload: {
      operatingRevenue: f.operatingRevenue,
      softwareRevenue: f.softwareRevenue ?? f.operatingRevenue,
      rdExpense: f.rdExpense,
      exportRevenue: '0.00',
      employees: f.employees ?? 100,
      rdStaff: f.rdStaff ?? 30,
      patents: 3,
      softwareCopyrights: 5
    }
  })
  if (res.statusCode !== 200 && res.statusCode !== 201) throw new Error(`declare ${year} failed: ${res.statusCode} ${res.body}`)
  return res.json().tier
}

// Smallest files that carry each accepted type's magic bytes.
export const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from('1 0 obj << >> endobj\n%%EOF\n')])
export const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000a49444154789c6300010000050001', 'hex')
export const JPEG = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex')

/** A multipart/form-data body with one file part, after the text `fields` (e.g. a document's `kind`). */
export function multipartFile (
  filename: string, content: Buffer, contentType = 'application/octet-stream', field = 'file', fields: Record<string, string> = {}
): { payload: Buffer, headers: Record<string, string> } {
  const boundary = '----peiyu' + Math.random().toString(16).slice(2)
  const texts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join('')
  const head = texts + `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`
  const payload = Buffer.concat([Buffer.from(head, 'utf8'), content, Buffer.from(`\r\n--${boundary}--\r\n`)])
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}
