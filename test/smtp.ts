import { SMTPServer } from 'smtp-server'
import type { AddressInfo } from 'node:net'

/** One email as the test SMTP server accepted it. */
export interface ReceivedMail { messageId: string, from: string, to: string[], subject: string, text: string }

/** RFC 2047 encoded words (=?UTF-8?B?…?= / ?Q?) in a header. */
function decodeWords (value: string): string {
  return value.replace(/\?=\s+=\?/g, '?==?').replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, _charset: string, enc: string, data: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(data, 'base64').toString('utf8')
      : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'))
}

/** Just enough MIME for the service's plain-text mail: headers, then a base64 or quoted-printable or 7bit body. */
export function parseMail (raw: string): Omit<ReceivedMail, 'to'> {
  const split = raw.indexOf('\r\n\r\n')
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ')
  const body = raw.slice(split + 4)
  const headers = new Map<string, string>()
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':')
    if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim())
  }
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase()
  const text = encoding === 'base64'
    ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
    : encoding === 'quoted-printable'
      ? Buffer.from(body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8')
      : body
  return { messageId: headers.get('message-id') ?? '', from: decodeWords(headers.get('from') ?? ''), subject: decodeWords(headers.get('subject') ?? ''), text }
}

export interface TestSmtp {
  url: string
  /** Every message the server accepted ("250 OK" sent), in order. */
  received: ReceivedMail[]
  /** Messages for one address. */
  to: (address: string) => ReceivedMail[]
  /** Hold the n-th DATA (1-based) without answering; `onHeld` runs when it arrives. */
  holdNth: (n: number, onHeld: () => void) => void
  /** Answer the next RCPT TO with this SMTP code (e.g. 450 temporary, 550 permanent), once. */
  refuseNext: (code: number) => void
  close: () => Promise<void>
}

/**
 * A real SMTP server on loopback (the smtp-server package) that keeps what it
 * accepts. A message whose connection drops before the server answers DATA
 * is not accepted, as with any MTA.
 */
export async function startSmtp (): Promise<TestSmtp> {
  const received: ReceivedMail[] = []
  let dataCount = 0
  let hold: { n: number, onHeld: () => void } | null = null
  let refuse: number | null = null
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo (_address, _session, callback) {
      if (refuse != null) {
        const code = refuse
        refuse = null
        const err = new Error(code >= 500 ? 'mailbox unavailable' : 'try again later') as Error & { responseCode: number }
        err.responseCode = code
        callback(err)
        return
      }
      callback()
    },
    onData (stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        dataCount++
        const accept = () => {
          const mail = parseMail(Buffer.concat(chunks).toString('utf8'))
          received.push({ ...mail, to: session.envelope.rcptTo.map(r => r.address) })
          callback()
        }
        if (hold != null && hold.n === dataCount) {
          const h = hold
          hold = null
          h.onHeld() // never answered: the client is killed while it waits
          return
        }
        accept()
      })
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.server.address() as AddressInfo).port
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    to: (address) => received.filter(m => m.to.includes(address)),
    holdNth: (n, onHeld) => { hold = { n: dataCount + n, onHeld } },
    refuseNext: (code) => { refuse = code },
    close: async () => { await new Promise<void>((resolve) => server.close(() => resolve())) }
  }
}
