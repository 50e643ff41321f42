// MemoryStore's bound: past maxSessions the least recently used session is evicted, where a read
// counts as a use.
import t from 'tap'
import { MemoryStore } from '../../lib/index.js'
import { build, cookiePair, counterRoutes } from '../helpers/index.js'

const record = (user?: string): Parameters<MemoryStore['set']>[1] => {
  const now = Date.now()
  return user === undefined ? { data: {}, createdAt: now, lastSeenAt: now } : { data: {}, createdAt: now, lastSeenAt: now, user }
}

t.test('the least recently used session goes first', async (t) => {
  const store = new MemoryStore({ maxSessions: 3 })
  t.teardown(() => store.close())
  await store.set('a', record('alice'), 60_000)
  await store.set('b', record(), 60_000)
  await store.set('c', record(), 60_000)
  await store.get('a')
  await store.set('d', record(), 60_000)
  t.equal(store.size, 3)
  t.equal(await store.get('b'), undefined, 'b was the least recently used')
  for (const k of ['a', 'c', 'd']) t.ok(await store.get(k), `${k} kept`)
  await store.set('e', record(), 60_000)
  t.equal(await store.get('a'), undefined, 'then a')
  t.same(await store.listUserSessions('alice'), [], 'an evicted session leaves the user index')
  await store.set('e', record(), 60_000)
  t.equal(store.size, 3, 'rewriting a session does not evict another')
  t.ok(await store.get('c'))
})

t.test('through the plugin: the oldest idle session is logged out first', async (t) => {
  const store = new MemoryStore({ maxSessions: 2 })
  t.teardown(() => store.close())
  const app = await build(t, { store }, counterRoutes)
  const first = cookiePair(await app.inject('/count')) as string
  const second = cookiePair(await app.inject('/count')) as string
  await app.inject({ url: '/read', headers: { cookie: first } })
  const third = cookiePair(await app.inject('/count')) as string
  t.same((await app.inject({ url: '/read', headers: { cookie: second } })).json(), { n: null, isNew: true })
  t.same((await app.inject({ url: '/read', headers: { cookie: first } })).json(), { n: 1, isNew: false })
  t.same((await app.inject({ url: '/read', headers: { cookie: third } })).json(), { n: 1, isNew: false })
})
