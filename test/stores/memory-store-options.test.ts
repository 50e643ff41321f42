// MemoryStore construction: its options are checked, and size counts what it holds.
import t from 'tap'
import { MemoryStore } from '../../lib/index.js'

t.test('invalid options fail with FST_SESSION_INVALID_OPTION', async (t) => {
  for (const options of [{ maxSessions: 0 }, { maxSessions: -1 }, { maxSessions: 1.5 }, { maxSessions: '10' }, { sweepIntervalMs: 0 }, { sweepIntervalMs: Number.NaN }]) {
    t.throws(() => new MemoryStore(options as never), { code: 'FST_SESSION_INVALID_OPTION' }, JSON.stringify(options))
  }
})

t.test('size counts sessions; close() drops them all', async (t) => {
  const store = new MemoryStore({ maxSessions: 10, sweepIntervalMs: 1000 })
  t.equal(store.size, 0)
  const now = Date.now()
  await store.set('a', { data: {}, createdAt: now, lastSeenAt: now, user: 'u' }, 60_000)
  await store.set('b', { data: {}, createdAt: now, lastSeenAt: now }, 60_000)
  t.equal(store.size, 2)
  await store.destroy('a')
  await store.destroy('missing')
  t.equal(store.size, 1)
  store.close()
  t.equal(store.size, 0)
  t.same(await store.listUserSessions('u'), [])
})
