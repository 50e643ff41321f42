import t from 'tap'
import { build, redisClient } from '../../examples/redis.js'
import { SECRET } from '../helpers/index.js'
import { redisSkip, startRedis } from '../helpers/redis-server.js'
import { storeExampleScenario } from '../helpers/store-example.js'

t.test('examples/redis.ts: two instances on one Redis share logins, devices and logout-everywhere', { skip: redisSkip() }, async (t) => {
  const redis = await startRedis(t)
  const client = await redisClient(redis.url)
  t.teardown(() => client.disconnect())
  const a = await build(client, SECRET)
  t.teardown(() => a.close())
  const b = await build(client, SECRET)
  t.teardown(() => b.close())
  await storeExampleScenario(t, a, b)
})
