import t from 'tap'
import { RedisStore } from '../../lib/index.js'
import { redisSkip, startRedisCluster } from '../helpers/redis-server.js'
import { storeConformance } from './conformance.js'
import { connectCluster, dumpRedis } from '../helpers/redis-clients.js'

await t.test('RedisStore on a 3-master Redis Cluster', { skip: redisSkip() }, async (t) => {
  const cluster = await startRedisCluster(t)
  let n = 0
  await storeConformance(t, 'RedisStore (Cluster)', async (t) => {
    const client = await connectCluster(t, cluster.nodes)
    return new RedisStore({ client, prefix: `c${n++}:` })
  }, {
    async dump () {
      // Every master's keys: a session's hash and its user's set usually live on different nodes.
      const client = await connectCluster(t, cluster.nodes)
      const parts = await Promise.all(client.nodes('master').map(async (node) => await dumpRedis(node)))
      return parts.join('\n')
    }
  })
})
