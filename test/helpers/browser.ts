import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { chromium, type Browser, type Page } from 'playwright-core'
import { buildDemo, type DemoStore } from '../../examples/demo-server.js'
import { SECRET, type Teardown } from './index.js'

/**
 * A real browser against the demo server: Debian's chromium, headless, driven by playwright-core.
 * Without chromium the suites skip with one loud line, except under CI=true where they fail.
 */

export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium'
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking']
const SCREENSHOTS = resolve(import.meta.dirname, '..', '..', 'docs', 'screenshots')

/** The tap `skip` option for a browser suite: false when chromium is there; a loud reason when not. */
export function chromiumSkip (): false | string {
  if (existsSync(CHROMIUM)) return false
  const reason = `chromium not found at ${CHROMIUM}: install the Debian package "chromium" (apt-get install -y chromium) to run the browser tests`
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: failing instead of skipping)`)
  console.error(`\n### SKIPPING BROWSER TESTS: ${reason}\n`)
  return reason
}

/** One headless chromium, closed at teardown. */
export async function launch (t: Teardown): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS })
  t.teardown(() => browser.close())
  return browser
}

/** The demo on `store`, listening on a free port of 127.0.0.1, closed at teardown; its base URL. */
export async function startDemo (t: Teardown, store: DemoStore, redisUrl?: string): Promise<string> {
  const app: FastifyInstance = await buildDemo({ secret: SECRET, store, logger: false, ...(redisUrl === undefined ? {} : { redisUrl }) })
  t.teardown(() => app.close())
  return await app.listen({ port: 0, host: '127.0.0.1' })
}

/** A fresh browser profile (no cookies) with one page on the demo at `base`; closed at teardown. */
export async function personAt (t: Teardown, browser: Browser, base: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: base, viewport: { width: 900, height: 620 } })
  t.teardown(() => context.close())
  return await context.newPage()
}

/** The trimmed, whitespace-collapsed text of the element with this id ('' when absent). */
export async function textOf (page: Page, id: string): Promise<string> {
  const el = page.locator(`#${id}`)
  if (await el.count() === 0) return ''
  return ((await el.first().textContent()) ?? '').replace(/\s+/g, ' ').trim()
}

/** Fills and submits the demo's login form; resolves to the status of the POST /login response. */
export async function submitLogin (page: Page, username: string, password: string): Promise<number> {
  await page.fill('#username', username)
  await page.fill('#password', password)
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/login'),
    page.click('#login-submit')
  ])
  await page.waitForLoadState()
  return response.status()
}

/**
 * What the page's own scripts see as `document.cookie`. (The test program has no DOM types: the
 * function runs in the page, where `document` exists.)
 */
export async function scriptCookies (page: Page): Promise<string> {
  return await page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie)
}

/** Clicks a submit button of a form and waits for the page it leads to. */
export async function submit (page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.click(selector)])
}

/**
 * A screenshot of the page as PNG bytes. With UPDATE_SCREENSHOTS=1 it is also written to
 * docs/screenshots/<name>.png (the pictures of docs/demo.md); plain test runs leave the tree untouched.
 */
export async function screenshot (page: Page, name: string, fullPage = false): Promise<Buffer> {
  const png = await page.screenshot({ fullPage })
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    mkdirSync(SCREENSHOTS, { recursive: true })
    writeFileSync(join(SCREENSHOTS, `${name}.png`), png)
  }
  return png
}

/** The PNG signature: what a real screenshot starts with. */
export const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
