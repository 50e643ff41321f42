// What DBSC does around failures and unusual routes: a failed registration offer only skips the
// offer, a binding that cannot be deleted at logout is logged (the session is gone anyway), routes
// without sessions and replies made before the session loads are left alone, and a refresh for a
// session that was never bound ends the browser's DBSC session.
import Fastify from 'fastify'
import t, { type Test } from 'tap'
import { Bindings } from '../../lib/dbsc/bindings.js'
import type { DbscConfig } from '../../lib/dbsc/options.js'
import fastifySession, { MemoryStore, type SessionStore } from '../../lib/index.js'
import { Keyring } from '../../lib/keyring.js'
import { DbscBrowser } from '../helpers/dbsc-device.js'
import { boundBrowser, dbscApp } from '../helpers/dbsc-scenario.js'
import { listen } from '../helpers/http.js'
import { captureLogs, loginRoutes, SECRET } from '../helpers/index.js'

/**
 * An error as ioredis makes it: what the command sent (the key, the record with the user id) on
 * `err.command`, and the key quoted in the message. None of it may reach a log line.
 */
function clientError (name: string, args: unknown[]): Error {
  return Object.assign(new Error(`down while running "${String(args[0])}"`), { command: { name, args } })
}

/** The log lines' JSON holds none of `secrets`, and no `command` an error carried. */
function assertNoLeak (t: Test, lines: unknown[], secrets: string[]): void {
  const logged = JSON.stringify(lines)
  t.notOk(logged.includes('"command"'), 'no command of the store client is logged')
  for (const secret of secrets) t.notOk(logged.includes(secret), 'no key or record the store was sent is logged')
}

/**
 * A MemoryStore whose writes and deletes of DBSC records (never of sessions) fail while `failing`,
 * with the keys and records they were called with in `sent`.
 */
function failingDbscStore (): MemoryStore & { failing: boolean, sent: string[] } {
  const store = Object.assign(new MemoryStore(), { failing: false, sent: [] as string[] })
  const set = store.set.bind(store)
  const destroy = store.destroy.bind(store)
  store.set = async (key, record, ttl) => {
    if (store.failing && record.user?.startsWith('dbsc-challenge:') === true) {
      store.sent.push(key, record.user)
      throw clientError('set', [key, JSON.stringify(record), ttl])
    }
    await set(key, record, ttl)
  }
  let sessions = new Set<string>()
  store.destroy = async (key) => {
    if (store.failing && !sessions.has(key)) {
      store.sent.push(key)
      throw clientError('del', [key])
    }
    await destroy(key)
  }
  const get = store.get.bind(store)
  store.get = async (key) => {
    const record = await get(key)
    if (record !== undefined && record.lastSeenAt !== 0 && record.user?.startsWith('dbsc-') !== true) sessions = new Set([...sessions, key])
    return record
  }
  return store
}

t.test('a registration offer that cannot be stored is skipped', async (t) => {
  const store = failingDbscStore()
  t.teardown(() => store.close())
  const logs = captureLogs('warn')
  const app = Fastify(logs.options)
  t.teardown(() => app.close())
  await app.register(fastifySession, { secret: SECRET, store, dbsc: {} })
  loginRoutes(app)
  const browser = new DbscBrowser(await listen(app))
  store.failing = true
  const res = await browser.fetch('/login')
  t.equal(res.status, 200, 'the login still succeeds')
  t.equal(browser.offer, undefined, 'without an offer')
  t.ok(logs.lines.some((l) => String(l.msg).includes('could not offer a device binding')), 'and says so in the log')
  t.ok(store.sent.length > 0, 'the failed write was the challenge record')
  assertNoLeak(t, logs.lines, store.sent)
})

t.test('a binding that cannot be deleted at logout', async (t) => {
  const store = failingDbscStore()
  t.teardown(() => store.close())
  const logs = captureLogs('error')
  const app = Fastify(logs.options)
  t.teardown(() => app.close())
  await app.register(fastifySession, { secret: SECRET, store, dbsc: {} })
  loginRoutes(app)
  const browser = await boundBrowser(t, await listen(app))
  store.failing = true
  const res = await browser.fetch('/logout')
  t.equal(res.status, 200, 'the logout succeeds: the session record is gone, so the binding binds nothing')
  t.ok(res.headers.getSetCookie().some((c) => c.startsWith('sid_bound=;')), 'and clears the bound cookie')
  t.ok(logs.lines.some((l) => String(l.msg).includes('failed to delete a device binding')))
  t.ok(store.sent.length > 0, 'the failed delete was the binding')
  assertNoLeak(t, logs.lines, store.sent)
  t.same(await (await browser.fetch('/me')).json(), { user: null })
})

t.test('routes without sessions and early replies', async (t) => {
  const store = new MemoryStore()
  t.teardown(() => store.close())
  const app = Fastify()
  t.teardown(() => app.close())
  app.addHook('onRequest', async (request, reply) => {
    if (request.url === '/early') return await reply.send({ early: true })
  })
  await app.register(fastifySession, { secret: SECRET, store, dbsc: {} })
  loginRoutes(app)
  app.get('/health', { config: { session: false } }, async () => ({ ok: true }))
  app.get('/early', async () => ({ early: false }))
  const base = await listen(app)
  const browser = await boundBrowser(t, base)
  const stolen = `sid=${browser.jar.get('sid') as string}`
  t.equal((await fetch(`${base}/health`, { headers: { cookie: stolen } })).status, 200, 'a route without sessions needs no bound cookie')
  t.same(await (await fetch(`${base}/early`, { headers: { cookie: stolen } })).json(), { early: true }, 'a reply sent before the session loaded')
  const logout = await fetch(`${base}/logout`)
  t.equal(logout.status, 200, 'a logout without a session has no binding to end')
  t.notOk(logout.headers.getSetCookie().some((c) => c.startsWith('sid_bound=')), 'nor a bound cookie to clear')
})

t.test('a refresh for a session that was never bound', async (t) => {
  const store: SessionStore = new MemoryStore()
  t.teardown(() => (store as MemoryStore).close())
  const { base } = await dbscApp(t, store)
  const browser = new DbscBrowser(base)
  await browser.fetch('/login')
  const keyring = new Keyring([Buffer.from(SECRET)])
  t.teardown(() => keyring.wipe())
  const identifier = new Bindings(store, keyring, {} as DbscConfig).identifier(browser.jar.get('sid') as string)
  const res = await browser.fetch('/dbsc/session/refresh', { method: 'POST', headers: { 'sec-secure-session-id': `"${identifier}"` } })
  t.equal(res.status, 401)
  t.match(await res.json(), { code: 'FST_SESSION_DBSC_NO_SESSION', message: /\(not-bound\)/ })
})
