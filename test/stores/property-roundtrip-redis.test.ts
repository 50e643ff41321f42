// Property: any session data a handler may set comes back unchanged from RedisStore on a real
// redis-server (fewer runs than the in-process stores: each is a few round trips to Redis).
import fc from 'fast-check'
import t from 'tap'
import type { SessionStore } from '../../lib/index.js'
import { redisSkip, startRedis } from '../helpers/redis-server.js'
import { check, directDriver, fcParams, propertyTimeout, roundTrip, sessionData } from '../helpers/security-support.js'

propertyTimeout(t, 1)

t.test('redis store: data round-trips unchanged on a real redis-server', { skip: redisSkip() }, async (t) => {
  const lib = await import('../../lib/index.js') as Record<string, unknown>
  const RedisStore = lib.RedisStore as (new (o: { client: unknown, prefix?: string }) => SessionStore) | undefined
  if (RedisStore === undefined) {
    t.fail('lib/index.ts does not export RedisStore')
    return
  }
  const { Redis } = await import('ioredis')
  const server = await startRedis(t)
  const client = new Redis(server.url)
  t.teardown(() => client.quit())
  const d = directDriver({ store: new RedisStore({ client, prefix: 'prop:' }) })
  const runs = await check(t, fc.asyncProperty(sessionData(), async (data) => await roundTrip(d, data)), fcParams(0.05, 200))
  t.ok(runs > 0)
})
