// Two app instances on two real ports sharing one redis-server (the scenario: helpers/multi-instance.ts).
import t from 'tap'
import { RedisStore } from '../../lib/index.js'
import { twoInstances } from '../helpers/multi-instance.js'
import { redisSkip, startRedis } from '../helpers/redis-server.js'
import { connectRedis } from '../helpers/redis-clients.js'

t.test('two instances, one Redis', { skip: redisSkip() }, async (t) => {
  const redis = await startRedis(t)
  await twoInstances(t, async (t) => new RedisStore({ client: await connectRedis(t, redis.port) }))
})
