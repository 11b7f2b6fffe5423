// What every browser test shares: the app listening on a random port, Debian's
// Chromium driven by playwright-core, pages that record any page error or CSP
// refusal, and signing in through the login form.
import type { Test } from 'tap'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import type { FastifyInstance } from 'fastify'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Starts `app` on a loopback port and returns its base URL. */
export async function listen (app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  return `http://127.0.0.1:${typeof address === 'object' && address != null ? address.port : 0}`
}

export interface PageOptions { width?: number, height?: number, javaScript?: boolean, downloads?: boolean }

export interface TestBrowser {
  browser: Browser
  /** Anything a page logged as an error (an exception, a CSP refusal); a test asserts it stays empty. */
  problems: string[]
  newPage: (opts?: PageOptions) => Promise<{ context: BrowserContext, page: Page }>
}

/** Chromium for the file, closed when the file's test ends. */
export async function launchBrowser (t: Test): Promise<TestBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
  })
  t.teardown(async () => { await browser.close() })
  const problems: string[] = []
  const newPage = async (opts: PageOptions = {}) => {
    const context = await browser.newContext({
      viewport: { width: opts.width ?? 1366, height: opts.height ?? 860 }, locale: 'zh-CN',
      javaScriptEnabled: opts.javaScript ?? true, acceptDownloads: opts.downloads ?? true
    })
    const page = await context.newPage()
    page.setDefaultTimeout(30_000)
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`))
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !/the server responded with a status of (4\d\d)/.test(msg.text())) problems.push(`console: ${msg.text()}`)
    })
    return { context, page }
  }
  return { browser, problems, newPage }
}

/** Signs in through the login form and waits for the signed-in header. */
export async function signIn (page: Page, base: string, email: string, password: string): Promise<void> {
  await page.goto(base + '/login')
  await page.fill('#login-form input[name=email]', email)
  await page.fill('#login-form input[name=password]', password)
  await page.click('#login-form button[type=submit]')
  await page.waitForSelector('#logout')
}
