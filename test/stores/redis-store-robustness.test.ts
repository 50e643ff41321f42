// RedisStore against what a real Redis can hold besides its own writes: damaged hashes, stale index
// entries, huge sessions; and against what is not a Redis client at all. (Each client's script cache,
// outage and closed states: redis-store-clients.test.ts.)
import t from 'tap'
import { RedisStore } from '../../lib/index.js'
import { build, cookiePair } from '../helpers/index.js'
import { redisSkip, startRedis } from '../helpers/redis-server.js'
import { connectRedis } from '../helpers/redis-clients.js'

const DAY = 86_400_000
const record = (data: Record<string, unknown>, user?: string): Parameters<RedisStore['set']>[1] => {
  const now = Date.now()
  return user === undefined ? { data, createdAt: now, lastSeenAt: now } : { data, createdAt: now, lastSeenAt: now, user }
}

await t.test('RedisStore robustness', { skip: redisSkip() }, async (t) => {
  const redis = await startRedis(t)
  const client = await connectRedis(t, redis.port)

  await t.test('the default prefix is "sess:", metadata and data fields cannot collide', async (t) => {
    const store = new RedisStore({ client })
    await store.set('k', record({ createdAt: 'data', user: 'data' }, 'u1'), DAY)
    const hash = await client.hgetall('sess:k')
    t.equal(hash['d:createdAt'], '"data"')
    t.equal(hash.user, 'u1')
    t.same((await store.get('k'))?.data, { createdAt: 'data', user: 'data' })
    t.same(await client.smembers('sess:user:u1'), ['k'], 'the user set holds the hashed key')
    const ttl = await client.pttl('sess:user:u1')
    t.ok(ttl > 0 && ttl <= DAY, 'the user set has a TTL')
  })

  await t.test('a damaged record reads as no record, never as an error', async (t) => {
    const store = new RedisStore({ client, prefix: 'bad:' })
    const now = String(Date.now())
    const cases: Record<string, Record<string, string>> = {
      'invalid JSON in a data field': { createdAt: now, lastSeenAt: now, 'd:a': '{not json' },
      'no createdAt': { lastSeenAt: now, 'd:a': '1' },
      'an empty lastSeenAt': { createdAt: now, lastSeenAt: '', 'd:a': '1' },
      'a non-numeric createdAt': { createdAt: 'yesterday', lastSeenAt: now },
      'a fractional lastSeenAt': { createdAt: now, lastSeenAt: '1.5' },
      'a non-numeric renewedAt': { createdAt: now, lastSeenAt: now, renewedAt: 'x' },
      'a broken escape in a field name': { createdAt: now, lastSeenAt: now, 'd:a\\': '1' },
      'a broken escape in the user': { createdAt: now, lastSeenAt: now, user: 'x\\' }
    }
    for (const [name, hash] of Object.entries(cases)) {
      await client.del('bad:k')
      await client.hset('bad:k', hash)
      t.equal(await store.get('k'), undefined, name)
    }
    await client.del('bad:k')
    await client.hset('bad:k', { createdAt: now, lastSeenAt: now, 'd:a': '1', future: 'x' })
    t.same((await store.get('k'))?.data, { a: 1 }, 'fields it does not know are ignored')
  })

  await t.test('through the plugin: a damaged record gives a fresh session, not a 500', async (t) => {
    const store = new RedisStore({ client, prefix: 'plug:' })
    const app = await build(t, { store }, (app) => {
      app.get('/login', async (request) => {
        (request.session as unknown as { set (k: string, v: unknown): void }).set('userId', 'alice')
        return {}
      })
      app.get('/me', async (request) => ({ isNew: request.session.isNew, data: request.session.data() }))
    })
    const cookie = cookiePair(await app.inject('/login')) as string
    // The session's hash, not the user's set (a hashed id may itself begin with "u").
    const key = (await client.keys('plug:*')).find((k) => !k.startsWith('plug:user:'))
    await client.hset(key as string, 'd:userId', '{broken')
    const res = await app.inject({ url: '/me', headers: { cookie } })
    t.equal(res.statusCode, 200)
    t.same(res.json(), { isNew: true, data: {} })
    t.match(res.headers['set-cookie'], /Max-Age=0/, 'the stale cookie is cleared')
  })

  await t.test('other Redis errors reach the caller', async (t) => {
    const store = new RedisStore({ client, prefix: 'type:' })
    await client.set('type:k', 'a string, not a hash')
    await t.rejects(store.patch('k', { set: { b: 2 }, unset: [], lastSeenAt: Date.now() }, DAY), /WRONGTYPE/)
    await t.rejects(store.get('k'), /WRONGTYPE/)
  })

  await t.test('stale index entries are dropped by listUserSessions and never end another user\'s session', async (t) => {
    const store = new RedisStore({ client, prefix: 'idx:' })
    await store.set('gone', record({ userId: 'alice' }, 'alice'), DAY)
    await store.set('live', record({ userId: 'alice' }, 'alice'), DAY)
    await store.destroy('gone')
    t.same((await client.smembers('idx:user:alice')).sort(), ['gone', 'live'], 'destroy leaves a stale member')
    t.equal((await store.listUserSessions('alice')).length, 1)
    t.same(await client.smembers('idx:user:alice'), ['live'], 'and listing drops it')
    // An index entry that points at a session now belonging to bob (as if an SREM had failed).
    await store.set('bobs', record({ userId: 'bob' }, 'bob'), DAY)
    await client.sadd('idx:user:alice', 'bobs')
    t.equal(await store.revokeUser('alice'), 1)
    t.ok(await store.get('bobs'), 'bob\'s session survives alice\'s revocation')
    t.equal((await store.listUserSessions('bob')).length, 1)
  })

  await t.test('a record whose lifetime is already over is not written, nor indexed', async (t) => {
    const store = new RedisStore({ client, prefix: 'over:' })
    await store.set('k', record({ userId: 'alice' }, 'alice'), 0)
    t.equal(await store.get('k'), undefined)
    t.equal(await client.exists('over:user:alice'), 0)
  })

  await t.test('a session with thousands of keys is written and patched whole (Lua unpack limits)', async (t) => {
    const store = new RedisStore({ client, prefix: 'many:' })
    const data = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]))
    await store.set('k', record(data), DAY)
    const set = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`n${i}`, i]))
    const unset = Array.from({ length: 3000 }, (_, i) => `k${i}`)
    await store.patch('k', { set, unset, lastSeenAt: Date.now() }, DAY)
    const back = (await store.get('k'))?.data ?? {}
    t.equal(Object.keys(back).length, 5000)
    t.equal(back.k4999, 4999)
    t.equal(back.n2999, 2999)
    t.equal(back.k0, undefined)
  })

  await t.test('invalid options fail with FST_SESSION_INVALID_OPTION, naming the clients it takes', async (t) => {
    const clients: unknown[] = [
      undefined, null, 'redis://127.0.0.1', {},
      { evalsha () {} }, // half an ioredis
      { evalsha () {}, hgetall: 'no' },
      { evalSha () {} }, // node-redis 4: no withTypeMapping
      { evalSha: 'no', withTypeMapping () {} }
    ]
    for (const bad of clients) {
      t.throws(() => new RedisStore({ client: bad } as never), {
        code: 'FST_SESSION_INVALID_OPTION',
        message: /ioredis or iovalkey .*Cluster.*node-redis .*createClient\(\) or createCluster\(\)/
      }, String(bad))
    }
    t.throws(() => new RedisStore(undefined as never), { code: 'FST_SESSION_INVALID_OPTION' })
    t.throws(() => new RedisStore({ client, prefix: 42 } as never), { code: 'FST_SESSION_INVALID_OPTION' })
  })
})
