import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { MemoryStore, type SessionPatch } from '../../lib/index.js'
import { build, cookiePair, fakeClock, loose, sessionSetCookie, type Teardown } from '../helpers/index.js'

// A server store's cookie holds only the id: the browser needs it again for a new id, new cookie
// attributes, a rotation move, or a new Max-Age once per refresh interval (a tenth of ttl), not on
// every write of changed data.
const TTL_S = 1000
const REFRESH_MS = TTL_S * 100

/** A MemoryStore that records the lastSeenAt and TTL of every patch. */
class WatchedStore extends MemoryStore {
  readonly patches: Array<{ lastSeenAt: number, ttlMs: number }> = []
  override async patch (key: string, changes: SessionPatch, ttlMs: number): Promise<boolean | string> {
    this.patches.push({ lastSeenAt: changes.lastSeenAt, ttlMs })
    return await super.patch(key, changes, ttlMs)
  }
}

function routes (app: FastifyInstance): void {
  app.get('/count', async (request) => {
    const n = ((loose(request).get('n') as number | undefined) ?? 0) + 1
    loose(request).set('n', n)
    return { n, id: request.session.id }
  })
  app.get('/read', async (request) => ({ n: loose(request).get('n') ?? null, isNew: request.session.isNew }))
  app.get('/remember', async (request) => {
    loose(request).set('remember', true)
    request.session.options({ maxAge: 30 * 86_400 })
    return { ok: true }
  })
  app.get('/touch', async (request) => {
    request.session.touch()
    return { ok: true }
  })
}

async function setup (t: Teardown & { match: (found: unknown, wanted: RegExp, message: string) => unknown }): Promise<{ app: FastifyInstance, store: WatchedStore, clock: ReturnType<typeof fakeClock>, cookie: string }> {
  const clock = fakeClock(t)
  const store = new WatchedStore()
  t.teardown(() => store.close())
  const app = await build(t, { store, ttl: TTL_S }, routes)
  const first = await app.inject('/count')
  t.match(sessionSetCookie(first), new RegExp(`^sid=.+; Max-Age=${TTL_S};`), 'a new session sends its cookie')
  return { app, store, clock, cookie: cookiePair(first) as string }
}

t.test('changed data under the same id within the refresh interval: saved, no Set-Cookie, lastSeenAt kept', async (t) => {
  const { app, store, clock, cookie } = await setup(t)
  const created = Date.now()
  clock.tick(REFRESH_MS - 1)
  const res = await app.inject({ url: '/count', headers: { cookie } })
  t.equal(res.json().n, 2)
  t.equal(sessionSetCookie(res), undefined, 'no Set-Cookie')
  t.same(store.patches, [{ lastSeenAt: created, ttlMs: TTL_S * 1000 - (REFRESH_MS - 1) }],
    'the patch keeps lastSeenAt at the last cookie and the TTL at what that cookie has left')
  t.same((await app.inject({ url: '/read', headers: { cookie } })).json(), { n: 2, isNew: false }, 'the change was saved')
})

t.test('changed data after the refresh interval: Set-Cookie with a full Max-Age, lastSeenAt moved', async (t) => {
  const { app, store, clock, cookie } = await setup(t)
  clock.tick(REFRESH_MS)
  const res = await app.inject({ url: '/count', headers: { cookie } })
  t.equal(res.json().n, 2)
  t.equal(sessionSetCookie(res)?.split(';')[0], cookie, 'the same id')
  t.match(sessionSetCookie(res), new RegExp(`; Max-Age=${TTL_S};`), 'a full Max-Age')
  t.same(store.patches, [{ lastSeenAt: Date.now(), ttlMs: TTL_S * 1000 }])
})

t.test('the idle lifetime follows the browser cookie: writes without a cookie do not extend it', async (t) => {
  const { app, clock, cookie } = await setup(t)
  clock.tick(REFRESH_MS / 2)
  t.equal(sessionSetCookie(await app.inject({ url: '/count', headers: { cookie } })), undefined, 'a write, no cookie')
  // The browser's copy expires TTL after it was sent; so must the session.
  clock.tick(TTL_S * 1000 - REFRESH_MS / 2)
  t.same((await app.inject({ url: '/read', headers: { cookie } })).json(), { n: null, isNew: true }, 'expired with the cookie the browser holds')
})

t.test('steady writes keep a session alive: the cookie is re-sent once per refresh interval', async (t) => {
  const { app, clock, cookie } = await setup(t)
  let sent = 0
  const step = REFRESH_MS / 4
  for (let i = 0; i < 60; i++) {
    clock.tick(step)
    const res = await app.inject({ url: '/count', headers: { cookie } })
    t.equal(res.json().n, i + 2, `write ${i + 1}`)
    if (sessionSetCookie(res) !== undefined) sent++
  }
  t.equal(sent, 15, 'every fourth write, over 60 writes spanning 1.5 ttl')
})

t.test('options() and touch() within the refresh interval still send the cookie', async (t) => {
  const { app, clock, cookie } = await setup(t)
  clock.tick(1000)
  t.match(sessionSetCookie(await app.inject({ url: '/remember', headers: { cookie } })), /; Max-Age=2592000;/, 'options()')
  clock.tick(1000)
  t.match(sessionSetCookie(await app.inject({ url: '/touch', headers: { cookie } })), new RegExp(`; Max-Age=${TTL_S};`), 'touch()')
})
