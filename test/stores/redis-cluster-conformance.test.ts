import t from 'tap'
import { RedisStore } from '../../lib/index.js'
import { redisSkip, startRedisCluster } from '../helpers/redis-server.js'
import { storeConformance } from './conformance.js'
import { REDIS_CLIENTS, dumpCluster } from '../helpers/redis-clients.js'

// The clients that speak Redis Cluster, one after the other, on one 3-master cluster.
t.setTimeout(240_000)

await t.test('RedisStore on a 3-master Redis Cluster, on every cluster client', { skip: redisSkip() }, async (t) => {
  const cluster = await startRedisCluster(t)
  let n = 0
  for (const row of REDIS_CLIENTS) {
    const { createCluster } = row
    if (createCluster === undefined) continue
    await storeConformance(t, `RedisStore (Cluster) on ${row.name}`, async (t) => {
      const handle = createCluster(t, cluster.nodes)
      await handle.connect()
      return new RedisStore({ client: handle.client, prefix: `c${n++}:` })
    }, { dump: async () => await dumpCluster(t, cluster.nodes), outage: cluster })
  }
})
