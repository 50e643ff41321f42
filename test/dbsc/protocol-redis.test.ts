// The DBSC protocol on a RedisStore with a real redis-server (the scenario: helpers/dbsc-scenario.ts).
import t from 'tap'
import { RedisStore } from '../../lib/index.js'
import { dbscScenario } from '../helpers/dbsc-scenario.js'
import { connectRedis } from '../helpers/redis-clients.js'
import { redisSkip, startRedis } from '../helpers/redis-server.js'

t.test('DBSC on the RedisStore', { skip: redisSkip() }, async (t) => {
  const redis = await startRedis(t)
  await dbscScenario(t, new RedisStore({ client: await connectRedis(t, redis.port) }))
})
