// MemoryStore lifetimes: idle and absolute expiry enforced through the plugin, and the store's own
// expiry on read and by its sweep (timer and direct call).
import t from 'tap'
import { MemoryStore } from '../../lib/index.js'
import { build, cookiePair, counterRoutes, fakeClock } from '../helpers/index.js'

function memory (t: { teardown (fn: () => unknown): void }, options: ConstructorParameters<typeof MemoryStore>[0] = {}): MemoryStore {
  const store = new MemoryStore(options)
  t.teardown(() => store.close())
  return store
}

t.test('idle expiry: a session unused for ttl is gone, and its record with it', async (t) => {
  const clock = fakeClock(t)
  const store = memory(t)
  const app = await build(t, { store, ttl: 60 }, counterRoutes)
  const cookie = cookiePair(await app.inject('/count')) as string
  clock.tick(59_999)
  t.same((await app.inject({ url: '/read', headers: { cookie } })).json(), { n: 1, isNew: false }, 'alive just before ttl')
  clock.tick(60_000)
  t.same((await app.inject({ url: '/read', headers: { cookie } })).json(), { n: null, isNew: true }, 'gone at ttl')
  t.equal(store.size, 0, 'the expired record was dropped')
})

t.test('absolute expiry: a session in constant use still ends absoluteTtl after it began', async (t) => {
  const clock = fakeClock(t)
  const store = memory(t)
  const app = await build(t, { store, ttl: 60, absoluteTtl: 300 }, counterRoutes)
  let cookie = cookiePair(await app.inject('/count')) as string
  for (let i = 0; i < 5; i++) {
    clock.tick(50_000)
    const res = await app.inject({ url: '/count', headers: { cookie } })
    t.equal(res.json().n, i + 2)
    cookie = cookiePair(res) ?? cookie
  }
  clock.tick(50_000)
  t.same((await app.inject({ url: '/read', headers: { cookie } })).json(), { n: null, isNew: true }, '300 s after creation')
})

t.test('the store expires records on read by their ttl', async (t) => {
  const clock = fakeClock(t)
  const store = memory(t)
  const now = Date.now()
  await store.set('k', { data: { a: 1 }, createdAt: now, lastSeenAt: now }, 1000)
  clock.tick(999)
  t.ok(await store.get('k'))
  clock.tick(1)
  t.equal(await store.get('k'), undefined)
  await store.touch('k', 1000, Date.now())
  await store.patch('k', { set: { b: 1 }, unset: [], lastSeenAt: Date.now() }, 1000)
  t.equal(store.size, 0, 'touch and patch do not revive it')
})

t.test('sweep() drops every expired record and keeps the live ones', async (t) => {
  const clock = fakeClock(t)
  const store = memory(t)
  const now = Date.now()
  await store.set('short', { data: {}, createdAt: now, lastSeenAt: now, user: 'u1' }, 1000)
  await store.set('long', { data: {}, createdAt: now, lastSeenAt: now, user: 'u1' }, 5000)
  clock.tick(1000)
  t.equal(store.size, 2, 'expired but not yet swept')
  store.sweep()
  t.equal(store.size, 1)
  t.equal((await store.listUserSessions('u1')).length, 1, 'the index lost the swept one too')
})

t.test('the sweep timer runs every sweepIntervalMs', async (t) => {
  const clock = fakeClock(t)
  const store = memory(t, { sweepIntervalMs: 10 })
  const now = Date.now()
  await store.set('k', { data: {}, createdAt: now, lastSeenAt: now }, 1000)
  clock.tick(1000)
  const until = performance.now() + 2000
  while (store.size > 0 && performance.now() < until) await new Promise((resolve) => setTimeout(resolve, 10))
  t.equal(store.size, 0, 'swept without any read')
})
