import t, { type Test } from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase, type Database } from '../db/client.ts'
import { outboxMessages } from '../db/schema/index.ts'
import { enqueueMail } from '../server/services/outbox.ts'
import { freshDatabase } from './helper.ts'
import { startSmtp } from './smtp.ts'

// Each message exactly once although the sender is killed (SIGKILL, a real
// separate process) and restarted in the middle of sending. The database is
// PostgreSQL when DATABASE_URL is set, else PGlite on disk (one process at a
// time: the test closes it before each child opens it).
t.setTimeout(900_000)

const CHILD = join(import.meta.dirname, 'fixtures', 'outbox-sender.ts')
const MESSAGES = 5

async function setUp (t: Test): Promise<{ env: Record<string, string>, open: () => Promise<Database> }> {
  const url = await freshDatabase(t)
  const dir = mkdtempSync(join(tmpdir(), 'peiyu-outbox-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const open = async () => await openDatabase({ databaseUrl: url, dataDir: dir })
  const db = await open()
  await db.migrate()
  await db.db.transaction(async (tx) => {
    await enqueueMail(tx as never, Array.from({ length: MESSAGES }, (_, i) => ({
      kind: 'test', to: `person${i}@example.test`, content: { subject: `第 ${i} 封 | message ${i}`, text: `正文 ${i}` }
    })))
  })
  await db.close()
  return { env: url != null ? { DATABASE_URL: url } : { DATA_DIR: dir }, open }
}

function run (env: Record<string, string>): { child: ChildProcess, exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  return { child, exited }
}

async function states (open: () => Promise<Database>) {
  const db = await open()
  const rows = await db.db.select().from(outboxMessages)
  await db.close()
  return rows
}

t.test('killed while the SMTP server holds a message: after a restart every message arrives once', async (t) => {
  const smtp = await startSmtp()
  t.teardown(smtp.close)
  const { env, open } = await setUp(t)
  const first = run({ ...env, SMTP_URL: smtp.url })
  smtp.holdNth(3, () => { first.child.kill('SIGKILL') })
  t.match(await first.exited, { signal: 'SIGKILL' }, 'the sender died while sending')
  t.equal(smtp.received.length, 2, 'two delivered before the crash; the third was never acknowledged')
  const between = await states(open)
  t.equal(between.filter(r => r.state === 'sent').length, 2)
  t.ok(between.some(r => r.state === 'sending'), 'the interrupted claim is left in sending')

  // The restarted sender takes the dead one's claim once its lease is over (0 here).
  const second = run({ ...env, SMTP_URL: smtp.url, LEASE_MS: '0' })
  t.match(await second.exited, { code: 0 })
  const ids = smtp.received.map(m => m.messageId)
  t.equal(ids.length, MESSAGES, 'no loss')
  t.equal(new Set(ids).size, MESSAGES, 'no duplicate')
  const after = await states(open)
  t.same(after.map(r => r.state), Array(MESSAGES).fill('sent'))
  t.same(new Set(after.map(r => r.messageId)), new Set(ids), 'the Message-IDs are the rows\' own')
})

t.test('killed after the server accepted but before it was marked: the resend carries the same Message-ID', async (t) => {
  const smtp = await startSmtp()
  t.teardown(smtp.close)
  const { env, open } = await setUp(t)
  const first = run({ ...env, SMTP_URL: smtp.url, DIE_AFTER_SEND: '2' })
  t.match(await first.exited, { signal: 'SIGKILL' })
  const second = run({ ...env, SMTP_URL: smtp.url, LEASE_MS: '0' })
  t.match(await second.exited, { code: 0 })
  const ids = smtp.received.map(m => m.messageId)
  t.equal(new Set(ids).size, MESSAGES, 'no loss: every message arrived')
  t.equal(ids.length, MESSAGES + 1, 'SMTP cannot rule this one out: the message accepted in the instant before the crash went again')
  const twice = ids.filter((id, i) => ids.indexOf(id) !== i)
  t.equal(twice.length, 1)
  t.equal(smtp.received.filter(m => m.messageId === twice[0]).length, 2, 'both copies carry one Message-ID, so a receiver can drop the second')
  t.same((await states(open)).map(r => r.state), Array(MESSAGES).fill('sent'))
})
