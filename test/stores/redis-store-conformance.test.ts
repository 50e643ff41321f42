import t from 'tap'
import { RedisStore } from '../../lib/index.js'
import { redisSkip, startRedis } from '../helpers/redis-server.js'
import { storeConformance } from './conformance.js'
import { connectRedis, dumpRedis } from '../helpers/redis-clients.js'

await t.test('RedisStore on one redis-server', { skip: redisSkip() }, async (t) => {
  const redis = await startRedis(t)
  const admin = await connectRedis(t, redis.port)
  let n = 0
  await storeConformance(t, 'RedisStore', async (t) => {
    const client = await connectRedis(t, redis.port)
    return new RedisStore({ client, prefix: `c${n++}:` })
  }, { dump: async () => await dumpRedis(admin), outage: redis })
})
