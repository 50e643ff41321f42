// Per-user revocation through the plugin: app.session.revokeUser() ends every session of a user and
// app.session.listUserSessions() reports them (times only), on MemoryStore and on RedisStore.
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { MemoryStore, RedisStore, type FastifySessionOptions, type SessionStore } from '../../lib/index.js'
import { build, cookiePair, fakeClock } from '../helpers/index.js'
import { redisSkip, startRedis } from '../helpers/redis-server.js'
import { connectRedis } from '../helpers/redis-clients.js'

type Untyped = { get (k: string): unknown, set (k: string, v: unknown): void }

function routes (key: string) {
  return (app: FastifyInstance): void => {
    app.get<{ Querystring: { user: string, numeric?: string } }>('/login', async (request) => {
      await request.session.regenerate()
      const user = request.query.numeric === undefined ? request.query.user : Number(request.query.user)
      ;(request.session as unknown as Untyped).set(key, user)
      return {}
    })
    app.get('/me', async (request) => ({ user: (request.session as unknown as Untyped).get(key) ?? null }))
    app.get('/logout', async (request) => {
      ;(request.session as unknown as Untyped).set(key, undefined)
      return {}
    })
  }
}

async function suite (t: Test, makeStore: (t: Test) => Promise<SessionStore>): Promise<void> {
  await t.test('revokeUser ends all of a user\'s sessions and no one else\'s', async (t) => {
    const app = await build(t, { store: await makeStore(t) }, routes('userId'))
    const alice1 = cookiePair(await app.inject('/login?user=alice')) as string
    const alice2 = cookiePair(await app.inject('/login?user=alice')) as string
    const bob = cookiePair(await app.inject('/login?user=bob')) as string
    t.equal(await app.session.revokeUser('alice'), 2)
    for (const cookie of [alice1, alice2]) {
      t.same((await app.inject({ url: '/me', headers: { cookie } })).json(), { user: null })
    }
    t.same((await app.inject({ url: '/me', headers: { cookie: bob } })).json(), { user: 'bob' })
    t.equal(await app.session.revokeUser('alice'), 0, 'nothing left to revoke')
  })

  await t.test('listUserSessions reports createdAt and lastSeenAt only', async (t) => {
    const clock = fakeClock(t)
    const app = await build(t, { store: await makeStore(t), ttl: 3600 }, routes('userId'))
    const start = Date.now()
    const first = cookiePair(await app.inject('/login?user=alice')) as string
    clock.tick(1000)
    await app.inject('/login?user=alice')
    clock.tick(400_000)
    await app.inject({ url: '/me', headers: { cookie: first } })
    const list = await app.session.listUserSessions('alice')
    t.same(list.map((s) => Object.keys(s).sort()), [['createdAt', 'lastSeenAt'], ['createdAt', 'lastSeenAt']])
    t.same(list.map((s) => [s.createdAt, s.lastSeenAt]).sort((a, b) => (a[0] as number) - (b[0] as number)),
      [[start, start + 401_000], [start + 1000, start + 1000]], 'the rolling refresh moved lastSeenAt of the first')
    t.same(await app.session.listUserSessions('nobody'), [])
  })

  await t.test('a custom userKey, numeric user ids, and a logout that drops the user from the index', async (t) => {
    const app = await build(t, { store: await makeStore(t), userKey: 'accountId' }, routes('accountId'))
    const cookie = cookiePair(await app.inject('/login?user=42&numeric=1')) as string
    t.equal((await app.session.listUserSessions(42)).length, 1, 'a number is indexed as its string')
    t.equal((await app.session.listUserSessions('42')).length, 1)
    await app.inject({ url: '/logout', headers: { cookie } })
    t.same(await app.session.listUserSessions(42), [], 'the session no longer names the user')
    t.equal(await app.session.revokeUser(42), 0)
  })
}

await t.test('MemoryStore', async (t) => {
  await suite(t, async (t) => {
    const store = new MemoryStore()
    t.teardown(() => store.close())
    return store
  })
})

await t.test('RedisStore', { skip: redisSkip() }, async (t) => {
  const redis = await startRedis(t)
  let n = 0
  await suite(t, async (t) => new RedisStore({ client: await connectRedis(t, redis.port), prefix: `r${n++}:` }))
})

await t.test('stores without a per-user index answer FST_SESSION_NOT_SUPPORTED', async (t) => {
  const bare: SessionStore = {
    async get () { return undefined },
    async set () {},
    async destroy () {}
  }
  const stores: Array<[string, FastifySessionOptions['store'] | undefined]> = [['cookie store', undefined], ['a store without the index', bare]]
  for (const [name, store] of stores) {
    const app = await build(t, store === undefined ? {} : { store })
    await t.rejects(app.session.revokeUser('alice'), { code: 'FST_SESSION_NOT_SUPPORTED' }, name)
    await t.rejects(app.session.listUserSessions('alice'), { code: 'FST_SESSION_NOT_SUPPORTED' }, name)
  }
})
