import { RedisStore as ConnectRedis8 } from 'connect-redis'
import { RedisStore as ConnectRedis10 } from 'connect-redis-10'
import { createClient } from 'redis'
import t from 'tap'
import { fromConnectStore } from '../../lib/index.js'
import { redisSkip, startRedis } from '../helpers/redis-server.js'
import { storeConformance } from './conformance.js'
import { NODE_REDIS_FAIL_FAST, connectRedis, dumpRedis, connectAdmin } from '../helpers/redis-clients.js'

// connect-redis as apps use it today, through fromConnectStore: 10, the current major, on node-redis
// (the only client it takes since 9), and 8, the last that takes ioredis. connect-redis 10 declares
// Node >= 22, but uses nothing newer than Node 20 has: it passes here on Node 20 and 24 alike.
await t.test('fromConnectStore(connect-redis) on one redis-server', { skip: redisSkip() }, async (t) => {
  const redis = await startRedis(t)
  const admin = await connectAdmin(t, redis.port)
  const options = { dump: async () => await dumpRedis(admin), outage: redis }
  let n = 0
  await storeConformance(t, 'fromConnectStore(connect-redis 10 on node-redis)', async (t) => {
    const client = createClient({ url: redis.url, ...NODE_REDIS_FAIL_FAST })
    client.on('error', () => {})
    t.teardown(() => { if (client.isOpen) client.destroy() })
    await client.connect()
    return fromConnectStore(new ConnectRedis10({ client, prefix: `c${n++}:` }))
  }, options)
  await storeConformance(t, 'fromConnectStore(connect-redis 8 on ioredis)', async (t) => {
    return fromConnectStore(new ConnectRedis8({ client: await connectRedis(t, redis.port), prefix: `c${n++}:` }))
  }, options)
})
