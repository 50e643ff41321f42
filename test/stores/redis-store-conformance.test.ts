import t from 'tap'
import { RedisStore } from '../../lib/index.js'
import { redisSkip, startRedis } from '../helpers/redis-server.js'
import { storeConformance } from './conformance.js'
import { REDIS_CLIENTS, connectRow, dumpRedis, connectAdmin } from '../helpers/redis-clients.js'

// Every supported client, one after the other, on one redis-server (about 5 s each, mostly waiting
// out TTLs).
t.setTimeout(180_000)

await t.test('RedisStore on one redis-server, on every client', { skip: redisSkip() }, async (t) => {
  const redis = await startRedis(t)
  const admin = await connectAdmin(t, redis.port)
  let n = 0
  for (const row of REDIS_CLIENTS) {
    await storeConformance(t, `RedisStore on ${row.name}`, async (t) => {
      return new RedisStore({ client: await connectRow(t, row, redis.port), prefix: `c${n++}:` })
    }, { dump: async () => await dumpRedis(admin), outage: redis })
  }
})
