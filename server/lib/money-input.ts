import type { FastifyRequest } from 'fastify'
import { errors, type FieldError } from '../domain/errors.ts'

/**
 * Money must arrive as a decimal string. Bodies are validated without type
 * coercion, so a JSON number (5000000, 1234567890123456.78) fails MoneySchema
 * anyway; this runs first (preValidation) to say why, in the field's words.
 *
 * `paths` name the money fields: `operatingRevenue`, or `rules.*.minRevenue`
 * for every element of an array.
 */
export function jsonNumberMoneyFields (body: unknown, paths: string[]): FieldError[] {
  const problems: FieldError[] = []
  const walk = (value: unknown, parts: string[], at: string): void => {
    if (parts.length === 0) {
      if (typeof value === 'number') problems.push({ field: `body.${at}`, message: 'must be a decimal string such as "123456789.50", not a JSON number' })
      return
    }
    if (value == null || typeof value !== 'object') return
    const [head, ...rest] = parts
    if (head === '*') {
      if (Array.isArray(value)) value.forEach((v, i) => walk(v, rest, at === '' ? String(i) : `${at}.${i}`))
      return
    }
    walk((value as Record<string, unknown>)[head], rest, at === '' ? head : `${at}.${head}`)
  }
  for (const p of paths) walk(body, p.split('.'), '')
  return problems
}

/** A route's `preValidation`: a JSON number in one of the money fields `paths` is 400 naming the field. */
export const moneyAsStrings = (paths: readonly string[]) => async (request: FastifyRequest): Promise<void> => {
  const numbers = jsonNumberMoneyFields(request.body, [...paths])
  if (numbers.length > 0) throw errors.validation(numbers)
}
