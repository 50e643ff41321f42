// A full Redis under maxmemory-policy noeviction (the policy docs/several-instances.md recommends):
// writes are refused, so requests that write answer 503 and no session is silently evicted; reads
// keep working. On every supported client, each on a redis-server of its own.
import t from 'tap'
import { RedisStore } from '../../lib/index.js'
import { build, cookiePair, counterRoutes } from '../helpers/index.js'
import { redisSkip, startRedis } from '../helpers/redis-server.js'
import { REDIS_CLIENTS, connectRow, connectAdmin } from '../helpers/redis-clients.js'

t.setTimeout(120_000)

for (const row of REDIS_CLIENTS) {
  t.test(`a full Redis with noeviction, on ${row.name}`, { skip: redisSkip() }, async (t) => {
    const redis = await startRedis(t)
    const admin = await connectAdmin(t, redis.port)
    const app = await build(t, { store: new RedisStore({ client: await connectRow(t, row, redis.port) }) }, counterRoutes)
    const cookie = cookiePair(await app.inject('/count')) as string

    const used = Number(/used_memory:(\d+)/.exec(await admin.info('memory'))?.[1])
    await admin.config('SET', 'maxmemory', String(used + 1_000_000))
    await admin.config('SET', 'maxmemory-policy', 'noeviction')
    // Small values: Redis refuses a write once used memory is over maxmemory, and a big value's own
    // buffer would be freed right after, leaving room again.
    const filler = 'x'.repeat(1000)
    let full = false
    for (let i = 0; i < 5000 && !full; i++) {
      full = await admin.set(`filler:${i}`, filler).then(() => false, () => true)
    }
    t.ok(full, 'Redis refuses writes')
    // Full by a margin: right at the limit, a freed buffer (a client's query buffer, say) can take used
    // memory back under maxmemory for a moment, and a session write would slip through.
    const now = Number(/used_memory:(\d+)/.exec(await admin.info('memory'))?.[1])
    await admin.config('SET', 'maxmemory', String(now - 200_000))

    const write = await app.inject({ url: '/count', headers: { cookie } })
    t.equal(write.statusCode, 503)
    t.equal(write.json().code, 'FST_SESSION_STORE_UNAVAILABLE')
    const login = await app.inject('/count')
    t.equal(login.statusCode, 503, 'a new session cannot be saved either')
    t.same((await app.inject({ url: '/read', headers: { cookie } })).json(), { n: 1, isNew: false }, 'reads work, nothing was evicted')

    await admin.config('SET', 'maxmemory', '0')
    t.same((await app.inject({ url: '/count', headers: { cookie } })).json(), { n: 2 }, 'writes work again once there is room')
  })
}
