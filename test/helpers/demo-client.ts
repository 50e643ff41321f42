import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { Test } from 'tap'
import { buildDemo, type DemoStore } from '../../examples/demo-server.js'
import { SECRET, type Teardown } from './index.js'

/** The Accept header a browser sends for a page. */
export const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'

/** The stores every demo test runs on (Redis and PostgreSQL have their own suites, needing a server). */
export const STORES: readonly DemoStore[] = ['cookie', 'memory']

/** The demo app on `store`, quiet, closed at teardown; `url` is the Redis or PostgreSQL server's. */
export async function demo (t: Teardown, store: DemoStore = 'cookie', url?: string): Promise<FastifyInstance> {
  const where = url === undefined ? {} : store === 'postgres' ? { databaseUrl: url } : { redisUrl: url }
  const app = await buildDemo({ secret: SECRET, store, logger: false, ...where })
  t.teardown(() => app.close())
  await app.ready()
  return app
}

/**
 * A browser-like client over `inject`: keeps the cookies the app sets (a Max-Age=0 cookie is
 * deleted), sends the browser's Accept header unless told otherwise, and posts forms url-encoded.
 */
export class Browser {
  readonly app: FastifyInstance
  readonly cookies = new Map<string, string>()

  constructor (app: FastifyInstance) {
    this.app = app
  }

  get cookieHeader (): string | undefined {
    if (this.cookies.size === 0) return undefined
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  #keep (res: LightMyRequestResponse): LightMyRequestResponse {
    const raw = res.headers['set-cookie']
    for (const line of raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]) {
      const [pair = '', ...attrs] = line.split(';')
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq).trim()
      const gone = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))
      if (gone) this.cookies.delete(name)
      else this.cookies.set(name, pair.slice(eq + 1))
    }
    return res
  }

  #headers (accept: string, extra: Record<string, string> = {}): Record<string, string> {
    const cookie = this.cookieHeader
    return { accept, ...(cookie === undefined ? {} : { cookie }), ...extra }
  }

  async get (url: string, accept = BROWSER_ACCEPT): Promise<LightMyRequestResponse> {
    return this.#keep(await this.app.inject({ method: 'GET', url, headers: this.#headers(accept) }))
  }

  /**
   * This browser's CSRF token, as a page with a form would carry it: read from `GET /csrf-token` with
   * the browser's cookies (which may start a session holding the secret).
   */
  async csrfToken (): Promise<string> {
    return (await this.get('/csrf-token', 'text/plain')).body
  }

  /**
   * Posts a form url-encoded, with the CSRF token in its `_csrf` field as the demo's forms send it;
   * `csrf: false` leaves it out, a string sends that token instead.
   */
  async post (url: string, form: Record<string, string> = {}, accept = BROWSER_ACCEPT, csrf: boolean | string = true): Promise<LightMyRequestResponse> {
    const token = csrf === true ? await this.csrfToken() : csrf === false ? undefined : csrf
    return this.#keep(await this.app.inject({
      method: 'POST',
      url,
      headers: this.#headers(accept, { 'content-type': 'application/x-www-form-urlencoded' }),
      payload: new URLSearchParams({ ...form, ...(token === undefined ? {} : { _csrf: token }) }).toString()
    }))
  }

  /** Posts a JSON body the way an API client does, with the CSRF token in the `x-csrf-token` header. */
  async postJson (url: string, body: unknown): Promise<LightMyRequestResponse> {
    const token = await this.csrfToken()
    return this.#keep(await this.app.inject({
      method: 'POST',
      url,
      headers: this.#headers('application/json', { 'content-type': 'application/json', 'x-csrf-token': token }),
      payload: JSON.stringify(body)
    }))
  }

  /** Logs in through the form; returns the response (303 on success). */
  async login (username: string, password = 'password', next?: string): Promise<LightMyRequestResponse> {
    return await this.post('/login', { username, password, ...(next === undefined ? {} : { next }) })
  }
}

/** The text of the element with `id` (tags stripped, whitespace collapsed), or undefined. */
export function textOf (body: string, id: string): string | undefined {
  const open = new RegExp(`<(\\w+)[^>]*\\bid="${id}"[^>]*>`).exec(body)
  if (open === null) return undefined
  const tag = open[1] as string
  // Count nested elements of the same tag to find the matching close.
  const re = new RegExp(`<(/?)${tag}\\b[^>]*>`, 'g')
  re.lastIndex = open.index + open[0].length
  let depth = 1
  let m: RegExpExecArray | null
  while ((m = re.exec(body)) !== null) {
    depth += m[1] === '/' ? -1 : 1
    if (depth === 0) {
      return body.slice(open.index + open[0].length, m.index).replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim()
    }
  }
  return undefined
}

/**
 * What the demo does on a shared server store (Redis, PostgreSQL): login, the admin panel's per-user
 * index, the cart, and a logout that ends the session in the store, so a replayed cookie is refused.
 */
export async function serverStoreDemo (t: Test, app: FastifyInstance, storeName: DemoStore): Promise<void> {
  const browser = new Browser(app)
  t.equal((await browser.get('/dashboard')).statusCode, 303)
  t.equal((await browser.login('admin')).statusCode, 303)
  const panel = await browser.get('/admin')
  t.equal(panel.statusCode, 200)
  t.equal(textOf(panel.body, 'nav-user'), 'admin admin')
  t.equal(textOf(panel.body, 'sessions-admin'), '1', 'the per-user index in the store')
  await browser.post('/cart/add', { id: '1' })
  await browser.post('/cart/add', { id: '1' })
  t.equal((await browser.get('/cart.json', 'application/json')).json().count, 2)
  t.equal(textOf((await browser.get('/dashboard')).body, 'store-name'), storeName)
  const loggedIn = browser.cookieHeader as string
  t.equal((await browser.post('/logout')).statusCode, 303)
  const replay = await app.inject({ url: '/dashboard', headers: { cookie: loggedIn, accept: 'application/json' } })
  t.equal(replay.statusCode, 401, 'logout destroyed the record in the store')
}
