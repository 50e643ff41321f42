import t from 'tap'
import { demo, serverStoreDemo } from '../helpers/demo-client.js'
import { redisSkip, startRedis } from '../helpers/redis-server.js'

t.test('the demo on SESSION_STORE=redis with a real redis-server', { skip: redisSkip() }, async (t) => {
  const redis = await startRedis(t)
  await serverStoreDemo(t, await demo(t, 'redis', redis.url), 'redis')
})
