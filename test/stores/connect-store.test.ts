// fromConnectStore: the object a connect store gets, what it accepts back, and how its failures
// reach the plugin. Runs against express-session's own MemoryStore and small hand-made stores.
import { MemoryStore as ExpressMemoryStore } from 'express-session'
import t from 'tap'
import { fromConnectStore, type ConnectCallback, type ConnectSession, type ConnectStoreLike } from '../../lib/index.js'
import { build, cookiePair, counterRoutes, fakeClock } from '../helpers/index.js'

const DAY = 86_400_000

/** A connect store over a Map that hands back exactly what it was given (no copy, no JSON). */
function rawStore (): ConnectStoreLike & { rows: Map<string, unknown> } {
  const rows = new Map<string, unknown>()
  return {
    rows,
    get (sid: string, cb: ConnectCallback) { cb(null, rows.get(sid) ?? null) },
    set (sid: string, session: ConnectSession, cb: ConnectCallback) { rows.set(sid, session); cb() },
    destroy (sid: string, cb: ConnectCallback) { rows.delete(sid); cb() }
  }
}

t.test('the stored object carries a connect-style cookie with the TTL', async (t) => {
  fakeClock(t)
  const backend = rawStore()
  const store = fromConnectStore(backend)
  const now = Date.now()
  await store.set('k', { data: { a: 1 }, createdAt: now - 5, lastSeenAt: now, user: 'u1', renewedAt: now - 1 }, 60_000)
  const stored = backend.rows.get('k') as ConnectSession
  t.equal(stored.cookie.originalMaxAge, 60_000)
  t.equal(stored.cookie.expires.getTime(), now + 60_000)
  t.same(await store.get('k'), { data: { a: 1 }, createdAt: now - 5, lastSeenAt: now, user: 'u1', renewedAt: now - 1 })
})

t.test('a store that keeps objects by reference still gives copy semantics', async (t) => {
  const backend = rawStore()
  const store = fromConnectStore(backend)
  const record = { data: { list: [1] }, createdAt: Date.now(), lastSeenAt: Date.now() }
  await store.set('k', record, DAY)
  record.data.list.push(2)
  const first = await store.get('k')
  ;(first?.data.list as number[]).push(3)
  t.same((await store.get('k'))?.data, { list: [1] })
})

t.test('anything but a well-formed record reads as no session', async (t) => {
  const backend = rawStore()
  const store = fromConnectStore(backend)
  const now = Date.now()
  const cookie = { originalMaxAge: DAY, expires: new Date(now + DAY).toISOString() }
  const good = { cookie, data: {}, createdAt: now, lastSeenAt: now }
  const cases: Record<string, unknown> = {
    'a string': 'session',
    'no data': { ...good, data: undefined },
    'null data': { ...good, data: null },
    'array data': { ...good, data: [] },
    'a string createdAt': { ...good, createdAt: String(now) },
    'a fractional lastSeenAt': { ...good, lastSeenAt: 1.5 },
    'a numeric user': { ...good, user: 42 },
    'a string renewedAt': { ...good, renewedAt: 'now' },
    'links that are not a list': { ...good, links: 'k1 k2' },
    'links that are not strings': { ...good, links: [1] },
    'no cookie': { ...good, cookie: undefined },
    'a null cookie': { ...good, cookie: null },
    'a cookie without expires': { ...good, cookie: { originalMaxAge: DAY } },
    'an unparseable expires': { ...good, cookie: { expires: 'soon' } },
    'an expires in the past': { ...good, cookie: { expires: new Date(now - 1) } },
    'an express-session session of another app': { cookie, passport: { user: 'alice' } }
  }
  for (const [name, value] of Object.entries(cases)) {
    backend.rows.set('k', value)
    t.equal(await store.get('k'), undefined, name)
  }
  backend.rows.set('k', good)
  t.same(await store.get('k'), { data: {}, createdAt: now, lastSeenAt: now }, 'the well-formed one, with expires as a string')
  backend.rows.set('k', { ...good, links: ['k1', 'k2'] })
  t.same(await store.get('k'), { data: {}, createdAt: now, lastSeenAt: now, links: ['k1', 'k2'] }, 'and its links')
})

t.test('callback errors and thrown errors reject; a non-Error failure becomes an Error', async (t) => {
  const failing: ConnectStoreLike = {
    get (_sid: string, cb: ConnectCallback) { cb(new Error('down')) },
    // Some stores call back with a string or a plain object rather than an Error.
    set (_sid: string, _s: ConnectSession, cb: ConnectCallback) { cb({ status: 'down' }) },
    destroy () { throw new Error('sync failure') }
  }
  const store = fromConnectStore(failing)
  await t.rejects(store.get('k'), { message: 'down' })
  await t.rejects(store.set('k', { data: {}, createdAt: 1, lastSeenAt: 1 }, DAY), { message: 'the connect store failed' })
  await t.rejects(store.destroy('k'), { message: 'sync failure' })
})

t.test('a store missing get, set or destroy fails with FST_SESSION_INVALID_OPTION', async (t) => {
  const ok = rawStore()
  for (const bad of [null, {}, { ...ok, get: undefined }, { ...ok, set: 1 }, { ...ok, destroy: undefined }]) {
    t.throws(() => fromConnectStore(bad as never), { code: 'FST_SESSION_INVALID_OPTION' })
  }
})

t.test('express-session MemoryStore through the plugin: a counter, idle expiry, destroy', async (t) => {
  const clock = fakeClock(t)
  const backend = new ExpressMemoryStore()
  const app = await build(t, { store: fromConnectStore(backend), ttl: 60 }, (app) => {
    counterRoutes(app)
    app.get('/logout', async (request) => {
      await request.session.destroy()
      return {}
    })
  })
  const first = await app.inject('/count')
  const cookie = cookiePair(first) as string
  t.same((await app.inject({ url: '/count', headers: { cookie } })).json(), { n: 2 })
  await new Promise<void>((resolve) => backend.length((_err, n) => { t.equal(n, 1); resolve() }))
  clock.tick(60_000)
  t.same((await app.inject({ url: '/read', headers: { cookie } })).json(), { n: null, isNew: true }, 'idle expiry')
  const again = cookiePair(await app.inject('/count')) as string
  await app.inject({ url: '/logout', headers: { cookie: again } })
  t.same((await app.inject({ url: '/read', headers: { cookie: again } })).json(), { n: null, isNew: true }, 'destroyed')
  await new Promise<void>((resolve) => backend.length((_err, n) => { t.equal(n, 0); resolve() }))
})
