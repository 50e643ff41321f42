// What RedisStore sends per request, counted on a real redis-server: a read-only request reads and
// writes nothing until a tenth of ttl has passed, then refreshes the TTL once; a change is one patch;
// and the key's TTL is the remaining idle or absolute lifetime, whichever ends first; a touch never
// brings back a destroyed session.
import type { Redis } from 'ioredis'
import t from 'tap'
import { RedisStore } from '../../lib/index.js'
import { build, cookiePair, counterRoutes, fakeClock } from '../helpers/index.js'
import { redisSkip, startRedis } from '../helpers/redis-server.js'
import { connectRedis, connectAdmin } from '../helpers/redis-clients.js'

/**
 * The client, with every command name it is asked to send recorded in `calls`. The first use of each
 * script on a fresh server adds an EVAL that loads it after the EVALSHA; that one is not recorded.
 */
function counting (client: Redis): { client: Redis, calls: string[] } {
  const calls: string[] = []
  const proxy = new Proxy(client, {
    get (target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown
      if (typeof value !== 'function' || typeof prop !== 'string') return value
      return (...args: unknown[]) => {
        if (prop !== 'eval') calls.push(prop)
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    }
  })
  return { client: proxy, calls }
}

await t.test('RedisStore write pattern', { skip: redisSkip() }, async (t) => {
  const redis = await startRedis(t)
  const admin = await connectAdmin(t, redis.port)

  await t.test('unchanged requests touch at most once per tenth of ttl; a change is one patch', async (t) => {
    const clock = fakeClock(t)
    const { client, calls } = counting(await connectRedis(t, redis.port))
    const app = await build(t, { store: new RedisStore({ client, prefix: 'w1:' }), ttl: 1000 }, counterRoutes)
    const cookie = cookiePair(await app.inject('/count')) as string
    t.same(calls, ['evalsha'], 'a new session: one atomic write')
    calls.length = 0
    clock.tick(99_000)
    const read = await app.inject({ url: '/read', headers: { cookie } })
    t.equal(read.headers['set-cookie'], undefined)
    t.same(calls, ['hgetall'], 'within a tenth of ttl: read only')
    calls.length = 0
    clock.tick(1_000)
    t.ok(cookiePair(await app.inject({ url: '/read', headers: { cookie } })), 'the refresh renews the cookie too')
    t.same(calls, ['hgetall', 'evalsha'], 'a tenth of ttl later: one touch')
    calls.length = 0
    await app.inject({ url: '/read', headers: { cookie } })
    t.same(calls, ['hgetall'], 'and not again right after')
    calls.length = 0
    t.same((await app.inject({ url: '/count', headers: { cookie } })).json(), { n: 2 })
    t.same(calls, ['hgetall', 'evalsha'], 'a change: one patch')
  })

  await t.test('the key expires with the idle or the absolute lifetime, whichever ends first', async (t) => {
    const clock = fakeClock(t)
    const store = new RedisStore({ client: await connectRedis(t, redis.port), prefix: 'w2:' })
    const app = await build(t, { store, ttl: 3600, absoluteTtl: 7200 }, counterRoutes)
    let cookie = cookiePair(await app.inject('/count')) as string
    const key = (await admin.keys('w2:*')).find((k) => !k.startsWith('w2:user:'))
    const idle = await admin.pttl(key as string)
    t.ok(idle > 3_590_000 && idle <= 3_600_000, `idle lifetime first (${idle} ms)`)
    for (let i = 0; i < 2; i++) {
      clock.tick(3_000_000)
      cookie = cookiePair(await app.inject({ url: '/count', headers: { cookie } })) ?? cookie
    }
    const absolute = await admin.pttl(key as string)
    t.ok(absolute > 1_190_000 && absolute <= 1_200_000, `then what is left of the absolute lifetime (${absolute} ms)`)
    t.same((await app.inject({ url: '/read', headers: { cookie } })).json(), { n: 3, isNew: false })
  })

  await t.test('a touch of a destroyed session leaves nothing behind in Redis', async (t) => {
    // get() reads a stray hash of just lastSeenAt as no session, so only the raw key tells.
    const store = new RedisStore({ client: await connectRedis(t, redis.port), prefix: 'w3:' })
    const now = Date.now()
    await store.set('k', { data: { n: 1 }, createdAt: now, lastSeenAt: now, user: 'alice' }, 60_000)
    await store.destroy('k')
    await store.touch('k', 60_000, now + 1_000)
    t.equal(await admin.exists('w3:k'), 0, 'the key does not exist')
    t.equal(await store.get('k'), undefined)
  })
})
