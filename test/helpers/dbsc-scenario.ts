// The DBSC protocol on one store, over real HTTP with a software P-256 key playing the browser:
// registration, use, expiry and refresh, rotation, the cookies replayed from another device, logout.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { Test } from 'tap'
import fastifySession, { type FastifySessionOptions, type SessionStore } from '../../lib/index.js'
import { DbscBrowser, SoftwareKey } from './dbsc-device.js'
import { listen } from './http.js'
import { fakeClock, loginRoutes, SECRET } from './index.js'

/** An app with DBSC on `store` (login, logout and /me routes), listening on 127.0.0.1. */
export async function dbscApp (
  t: Test, store: SessionStore, options: Partial<FastifySessionOptions> = {}, setup: (app: FastifyInstance) => void = loginRoutes,
  server: FastifyServerOptions = {}
): Promise<{ app: FastifyInstance, base: string }> {
  const app = Fastify(server)
  t.teardown(() => app.close())
  await app.register(fastifySession, { secret: SECRET, store, dbsc: {}, ...options } as FastifySessionOptions)
  setup(app)
  return { app, base: await listen(app) }
}

/** Logs a new browser in and registers its device key; resolves to the bound browser. */
export async function boundBrowser (t: Test, base: string, key = new SoftwareKey(), loginPath = '/login'): Promise<DbscBrowser> {
  const browser = new DbscBrowser(base, key)
  await browser.fetch(loginPath)
  t.ok(browser.offer, 'the login response offers a binding')
  const res = await browser.register()
  t.equal(res.status, 200, 'registration succeeds')
  return browser
}

/** Runs the whole protocol on `store`. */
export async function dbscScenario (t: Test, store: SessionStore): Promise<void> {
  const clock = fakeClock(t, Date.now())
  const { app, base } = await dbscApp(t, store)
  const browser = new DbscBrowser(base)

  await browser.fetch('/login')
  t.match(browser.offer, { path: '/dbsc/session/register', algorithms: 'ES256 RS256' }, 'login offers ES256 and RS256 at the registration path')
  const registered = await browser.register()
  t.equal(registered.status, 200)
  t.equal(registered.headers.get('cache-control'), 'no-store')
  const instructions = browser.instructions
  t.match(instructions, {
    session_identifier: /^[A-Za-z0-9_-]{22}$/,
    refresh_url: '/dbsc/session/refresh',
    scope: { origin: base, include_site: false, scope_specification: [] },
    credentials: [{ type: 'cookie', name: 'sid_bound', attributes: 'Path=/; HttpOnly; SameSite=Lax' }]
  }, 'the session instructions name the refresh URL, the scope and the bound cookie')
  const firstCookie = browser.jar.get('sid_bound')
  t.ok(firstCookie, 'registration sets the bound cookie')
  const firstChallenge = browser.challenge
  t.ok(firstChallenge, 'and sends the challenge for the next refresh')

  t.same(await (await browser.fetch('/me')).json(), { user: 'alice' }, 'the bound session is used')
  t.same((await app.session.listUserSessions('alice')).map((s) => s.bound), [true], 'listUserSessions reports it as bound')
  const stolenSid = `sid=${browser.jar.get('sid') as string}`
  const stolenBoth = `${stolenSid}; sid_bound=${firstCookie as string}`
  const thief = async (cookie: string, path = '/me', init: RequestInit = {}): Promise<Response> =>
    await fetch(base + path, { ...init, headers: { ...(init.headers as Record<string, string>), cookie } })

  t.equal((await thief(stolenSid)).status, 200, 'the session cookie alone still works for 10 s after the registration (the page loading while the browser registers)')
  clock.tick(10_000)
  const missing = await thief(stolenSid)
  t.equal(missing.status, 401, 'then the session cookie alone is refused')
  t.match(await missing.json(), { code: 'FST_SESSION_DBSC_UNBOUND', message: /\(missing\)/ })
  t.equal((await thief(stolenBoth)).status, 200, 'both cookies work from anywhere within the bound cookie\'s lifetime (the documented window)')

  clock.tick(601_000)
  t.equal(browser.jar.get('sid_bound'), undefined, 'the bound cookie expired in the browser')
  const expired = await thief(stolenBoth)
  t.equal(expired.status, 401, 'after it expired, the replayed cookies are refused')
  t.match(await expired.json(), { code: 'FST_SESSION_DBSC_UNBOUND', message: /\(expired\)/ })

  const refreshed = await browser.refreshOnce()
  t.equal(refreshed.status, 200, 'the browser refreshes with the cached challenge')
  t.not(browser.jar.get('sid_bound'), firstCookie, 'the bound cookie rotated')
  t.ok(browser.challenge !== undefined && browser.challenge !== firstChallenge, 'and so did the challenge')
  t.same(await (await browser.fetch('/me')).json(), { user: 'alice' }, 'the session works again')

  const identifier = `"${(instructions as { session_identifier: string }).session_identifier}"`
  const noKey = await thief(stolenSid, '/dbsc/session/refresh', { method: 'POST', headers: { 'sec-secure-session-id': identifier } })
  t.equal(noKey.status, 403, 'a thief asking for a refresh gets a challenge...')
  const challenge = /^"([^"]+)"/.exec(noKey.headers.get('secure-session-challenge') as string)?.[1] as string
  const forged = await thief(stolenSid, '/dbsc/session/refresh', {
    method: 'POST',
    headers: { 'sec-secure-session-id': identifier, 'secure-session-response': `"${new SoftwareKey().proof(challenge, false)}"` }
  })
  t.equal(forged.status, 400, '...and without the device key cannot answer it')
  t.match(await forged.json(), { code: 'FST_SESSION_DBSC_INVALID_PROOF', message: /\(signature\)/ })

  clock.tick(601_000)
  browser.challenge = undefined
  const retried = await browser.refresh()
  t.equal(retried.status, 200, 'a refresh without a cached challenge gets a 403 with one, and succeeds on the retry')
  const used = await browser.refreshOnce(browser.key.proof(firstChallenge as string, false))
  t.equal(used.status, 403, 'a used challenge is refused with a fresh one')
  t.match(await used.json(), { code: 'FST_SESSION_DBSC_CHALLENGE' })

  t.equal((await browser.fetch('/logout')).status, 200)
  t.same(await app.session.listUserSessions('alice'), [], 'logout ended the session and its binding')
  const afterLogout = await browser.refresh()
  t.equal(afterLogout.status, 401, 'a refresh after logout ends the browser\'s DBSC session')
  t.match(await afterLogout.json(), { code: 'FST_SESSION_DBSC_NO_SESSION' })
}
