// A MemoryStore read+write that changes one key leaves the others alone: the untouched user object is
// not serialised again for the write, not compared, and not in the patch the store gets.
import t from 'tap'
import { MemoryStore, type SessionPatch } from '../../lib/index.js'
import { build, cookiePair, loose } from '../helpers/index.js'

const USER = { id: 'u1', name: 'Ada', email: 'ada@example.com', roles: ['user', 'editor'], csrf: 'c'.repeat(43) }

t.test('a write that changes only counter does not stringify the user object', async (t) => {
  const store = new MemoryStore()
  t.teardown(() => store.close())
  const patches: SessionPatch[] = []
  const patch = store.patch.bind(store)
  store.patch = async (key, changes, ttl) => { patches.push(changes); return await patch(key, changes, ttl) }
  const app = await build(t, { store }, (app) => {
    app.get('/seed', async (request) => {
      loose(request).set('user', USER)
      loose(request).set('counter', 1)
      return { ok: true }
    })
    app.get('/bump', async (request) => {
      const n = (loose(request).get('counter') as number) + 1
      loose(request).set('counter', n)
      return { n }
    })
    app.get('/whoami', async (request) => loose(request).get('user') as object)
  })
  const cookie = cookiePair(await app.inject('/seed')) as string
  const stringified: unknown[] = []
  const stringify = JSON.stringify
  JSON.stringify = function spied (this: unknown, ...args: Parameters<typeof stringify>): string {
    stringified.push(args[0])
    return stringify.apply(this, args)
  } as typeof stringify
  t.teardown(() => { JSON.stringify = stringify })
  for (let i = 0; i < 3; i++) await app.inject({ url: '/bump', headers: { cookie } })
  JSON.stringify = stringify
  t.same(patches.map((p) => p.set), [{ counter: 2 }, { counter: 3 }, { counter: 4 }], 'only counter in each patch')
  t.ok(stringified.some((v) => v === 2), 'the counter was serialised (the spy sees the writes)')
  t.notOk(stringified.some((v) => typeof v === 'object' && v !== null && 'email' in v), 'never the user object')
  t.notOk(stringified.some((v) => typeof v === 'object' && v !== null && 'user' in v), 'never the whole data')
  t.same((await app.inject({ url: '/whoami', headers: { cookie } })).json(), USER, 'the user object is as seeded')
})
