import t from 'tap'
import { AppError } from '../server/domain/errors.ts'
import { checkVersion, expectedVersion } from '../server/lib/versioning.ts'

// The one If-Match rule (RFC 9110): every form × required or not.
const codeOf = (f: () => unknown): string | number | undefined => {
  try {
    return f() as number | undefined
  } catch (err) {
    return (err as AppError).code
  }
}

t.test('expectedVersion: every form of the header', async (t) => {
  const table: Array<[string | undefined, unknown, unknown]> = [
    // header, optional route, required route
    [undefined, undefined, 'PRECONDITION_REQUIRED'],
    ['', undefined, 'PRECONDITION_REQUIRED'],
    ['  ', undefined, 'PRECONDITION_REQUIRED'],
    ['3', 3, 3],
    ['"3"', 3, 3],
    // A weak tag never matches for If-Match (RFC 9110 13.1.1: strong comparison).
    ['W/"3"', 'VERSION_MISMATCH', 'VERSION_MISMATCH'],
    ['w/"3"', 'VERSION_MISMATCH', 'VERSION_MISMATCH'],
    [' "12" ', 12, 12],
    ['*', undefined, undefined],
    ['latest', 'VERSION_MISMATCH', 'VERSION_MISMATCH'],
    ['"3', 3, 3],
    ['W/"x"', 'VERSION_MISMATCH', 'VERSION_MISMATCH'],
    ['1.5', 'VERSION_MISMATCH', 'VERSION_MISMATCH'],
    ['-1', 'VERSION_MISMATCH', 'VERSION_MISMATCH'],
    ['"1", "2"', 'VERSION_MISMATCH', 'VERSION_MISMATCH'],
    ['x'.repeat(200), 'VERSION_MISMATCH', 'VERSION_MISMATCH']
  ]
  for (const [header, optional, required] of table) {
    t.equal(codeOf(() => expectedVersion(header)), optional, `${JSON.stringify(header)} where optional`)
    t.equal(codeOf(() => expectedVersion(header, { required: true })), required, `${JSON.stringify(header)} where required`)
  }
})

t.test('the status of each refusal', async (t) => {
  const statusOf = (f: () => unknown) => { try { f() } catch (err) { return (err as AppError).statusCode } }
  t.equal(statusOf(() => expectedVersion(undefined, { required: true })), 428)
  t.equal(statusOf(() => expectedVersion('latest')), 412)
  t.equal(statusOf(() => checkVersion(2, 1)), 412)
  t.doesNotThrow(() => checkVersion(2, 2))
  t.doesNotThrow(() => checkVersion(2, undefined), 'no If-Match where optional: no check')
})
