import fp from 'fastify-plugin'
import nodemailer from 'nodemailer'
import type { FastifyInstance } from 'fastify'
import type { AppConfig } from '../config.ts'
import type { MailTransport } from '../services/outbox.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Sends the outbox's emails over SMTP_URL; null without it (inbox only). */
    mailer: MailTransport | null
  }
}

/** An SMTP transport (nodemailer) for `smtpUrl`, sending plain-text UTF-8 mail with the given Message-ID. */
export function smtpTransport (smtpUrl: string): MailTransport & { close: () => void } {
  const transporter = nodemailer.createTransport(smtpUrl, { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 } as never)
  return {
    send: async (mail) => {
      await transporter.sendMail({
        messageId: mail.messageId, from: mail.from, to: mail.to, subject: mail.subject, text: mail.text,
        textEncoding: 'base64', headers: { 'Auto-Submitted': 'auto-generated' }
      })
    },
    close: () => { transporter.close() }
  }
}

export default fp(async function mailPlugin (app: FastifyInstance, opts: { config: AppConfig }) {
  if (opts.config.smtpUrl == null) {
    app.decorate('mailer', null)
    return
  }
  const transport = smtpTransport(opts.config.smtpUrl)
  app.decorate('mailer', transport)
  app.addHook('onClose', async () => { transport.close() })
}, { name: 'mail' })
