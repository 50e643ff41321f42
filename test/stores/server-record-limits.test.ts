// What a server store gets and gives back is bounded and checked: records over maxDataBytes are
// refused with FST_SESSION_TOO_LARGE, and a record of the wrong shape gives a fresh session.
import t from 'tap'
import { MemoryStore, type SessionRecord, type SessionStore } from '../../lib/index.js'
import { build, cookiePair, counterRoutes } from '../helpers/index.js'

t.test('a record over maxDataBytes fails with FST_SESSION_TOO_LARGE and is not written', async (t) => {
  const store = new MemoryStore()
  t.teardown(() => store.close())
  const app = await build(t, { store, maxDataBytes: 100 }, (app) => {
    counterRoutes(app)
    app.get<{ Querystring: { size: string } }>('/big', async (request) => {
      ;(request.session as unknown as { set (k: string, v: unknown): void }).set('blob', 'x'.repeat(Number(request.query.size)))
      return {}
    })
  })
  const cookie = cookiePair(await app.inject('/count')) as string
  t.equal((await app.inject({ url: '/big?size=80', headers: { cookie } })).statusCode, 200, 'within the limit')
  const res = await app.inject({ url: '/big?size=100', headers: { cookie } })
  t.equal(res.statusCode, 500)
  t.equal(res.json().code, 'FST_SESSION_TOO_LARGE')
  const fresh = await app.inject('/big?size=100')
  t.equal(fresh.json().code, 'FST_SESSION_TOO_LARGE', 'a new session too')
  t.equal(fresh.headers['set-cookie'], undefined)
  t.equal(store.size, 1)
  t.same((await app.inject({ url: '/read', headers: { cookie } })).json(), { n: 1, isNew: false }, 'the stored record is the last one that fit')
})

t.test('a record of the wrong shape from a store gives a fresh session, never a 500', async (t) => {
  const shapes: unknown[] = [
    null, 'record', { data: null, createdAt: 1, lastSeenAt: 1 }, { data: [], createdAt: 1, lastSeenAt: 1 },
    { data: {}, createdAt: '1', lastSeenAt: 1 }, { data: {}, createdAt: 1, lastSeenAt: 1.5 }, { data: {} }
  ]
  let next: unknown
  const store: SessionStore = {
    async get () { return next as SessionRecord },
    async set () {},
    async destroy () {}
  }
  const app = await build(t, { store }, counterRoutes)
  for (const shape of shapes) {
    next = shape
    const res = await app.inject({ url: '/read', headers: { cookie: `sid=${'A'.repeat(43)}` } })
    t.equal(res.statusCode, 200, JSON.stringify(shape))
    t.same(res.json(), { n: null, isNew: true })
    t.match(res.headers['set-cookie'], /Max-Age=0/, 'the cookie is cleared')
  }
})
