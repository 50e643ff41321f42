import { RedisStore as ConnectRedisStore } from 'connect-redis'
import t from 'tap'
import { fromConnectStore } from '../../lib/index.js'
import { redisSkip, startRedis } from '../helpers/redis-server.js'
import { storeConformance } from './conformance.js'
import { connectRedis, dumpRedis } from '../helpers/redis-clients.js'

await t.test('fromConnectStore(connect-redis) on one redis-server', { skip: redisSkip() }, async (t) => {
  const redis = await startRedis(t)
  const admin = await connectRedis(t, redis.port)
  let n = 0
  await storeConformance(t, 'fromConnectStore(connect-redis)', async (t) => {
    const client = await connectRedis(t, redis.port)
    return fromConnectStore(new ConnectRedisStore({ client, prefix: `c${n++}:` }))
  }, { dump: async () => await dumpRedis(admin), outage: redis })
})
