// The plugin enforces idle and absolute lifetimes itself, whatever the store's TTL does: a store
// that keeps records forever (or expires them coarsely) still never serves an expired session, and
// the expired record is deleted when it is found.
import t from 'tap'
import type { SessionRecord, SessionStore } from '../../lib/index.js'
import { build, cookiePair, counterRoutes, fakeClock } from '../helpers/index.js'

function foreverStore (): SessionStore & { rows: Map<string, SessionRecord> } {
  const rows = new Map<string, SessionRecord>()
  return {
    rows,
    async get (key) { return structuredClone(rows.get(key)) },
    async set (key, record) { rows.set(key, structuredClone(record)) },
    async destroy (key) { rows.delete(key) }
  }
}

t.test('idle expiry on a store without TTLs: refused and deleted', async (t) => {
  const clock = fakeClock(t)
  const store = foreverStore()
  const app = await build(t, { store, ttl: 60 }, counterRoutes)
  const cookie = cookiePair(await app.inject('/count')) as string
  clock.tick(60_000)
  const res = await app.inject({ url: '/read', headers: { cookie } })
  t.same(res.json(), { n: null, isNew: true })
  t.match(res.headers['set-cookie'], /Max-Age=0/)
  t.equal(store.rows.size, 0, 'the expired record was deleted')
})

t.test('absolute expiry on a store without TTLs, and a failing delete does not fail the request', async (t) => {
  const clock = fakeClock(t)
  const store = foreverStore()
  const app = await build(t, { store, ttl: 60, absoluteTtl: 120 }, counterRoutes)
  let cookie = cookiePair(await app.inject('/count')) as string
  clock.tick(50_000)
  cookie = cookiePair(await app.inject({ url: '/count', headers: { cookie } })) ?? cookie
  clock.tick(50_000)
  cookie = cookiePair(await app.inject({ url: '/count', headers: { cookie } })) ?? cookie
  clock.tick(20_000)
  store.destroy = async () => { throw new Error('store down') }
  const res = await app.inject({ url: '/read', headers: { cookie } })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { n: null, isNew: true }, '120 s after creation, though used every 50 s')
})
