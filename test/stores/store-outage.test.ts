// RedisStore while a real redis-server is stopped and started again (the scenario: helpers/store-outage.ts).
import t from 'tap'
import { RedisStore } from '../../lib/index.js'
import { redisSkip, startRedis } from '../helpers/redis-server.js'
import { connectRedis } from '../helpers/redis-clients.js'
import { outageScenario } from '../helpers/store-outage.js'

t.test('RedisStore outage', { skip: redisSkip() }, async (t) => {
  const redis = await startRedis(t)
  await outageScenario(t, new RedisStore({ client: await connectRedis(t, redis.port) }), redis)
})
