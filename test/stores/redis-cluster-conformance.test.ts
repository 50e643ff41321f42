import t from 'tap'
import { RedisStore } from '../../lib/index.js'
import { build, cookiePair, counterRoutes } from '../helpers/index.js'
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

  // A cluster client the app has not connected yet, or has closed: 503, never a hang or a crash.
  for (const row of REDIS_CLIENTS) {
    const { createCluster } = row
    if (createCluster === undefined) continue
    await t.test(`a cluster client not connected yet, then closed: 503 at once, on ${row.name}`, async (t) => {
      const handle = createCluster(t, cluster.nodes)
      const app = await build(t, { store: new RedisStore({ client: handle.client }) }, counterRoutes)
      if (row.family === 'node-redis') {
        const res = await app.inject('/count')
        t.equal(res.statusCode, 503, 'not connected yet')
        t.equal(res.json().code, 'FST_SESSION_STORE_UNAVAILABLE')
      }
      await handle.connect()
      const made = await app.inject('/count')
      t.equal(made.statusCode, 200)
      await handle.close()
      const res = await app.inject({ url: '/count', headers: { cookie: cookiePair(made) as string } })
      t.equal(res.statusCode, 503, 'closed')
      t.equal(res.json().code, 'FST_SESSION_STORE_UNAVAILABLE')
    })
  }
})
