import { RedisStore as ConnectRedisStore } from 'connect-redis'
import { MemoryStore as ExpressMemoryStore } from 'express-session'
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { build, redisClient } from '../../examples/connect-store.js'
import { cookiePair, cookieValue, SECRET } from '../helpers/index.js'
import { redisSkip, startRedis } from '../helpers/redis-server.js'

/** Login, a guarded read, logout; `keys` lists what the backend holds. */
async function journey (t: Test, app: FastifyInstance, keys: () => Promise<string[]>): Promise<void> {
  t.equal((await app.inject('/me')).statusCode, 401)
  const login = await app.inject({ method: 'POST', url: '/login/alice' })
  const cookie = cookiePair(login) as string
  t.same((await app.inject({ url: '/me', headers: { cookie } })).json(), { user: 'alice' })
  const stored = await keys()
  t.equal(stored.length, 1, 'one session in the connect store')
  t.notOk(stored[0]?.includes(cookieValue(login) as string), 'stored under a hash of the id, never the id')
  await app.inject({ method: 'POST', url: '/logout', headers: { cookie } })
  t.same(await keys(), [], 'logout deleted it from the connect store')
  t.equal((await app.inject({ url: '/me', headers: { cookie } })).statusCode, 401, 'the old cookie is dead')
}

t.test("examples/connect-store.ts on express-session's MemoryStore", async (t) => {
  const backend = new ExpressMemoryStore()
  const app = await build(backend, SECRET)
  t.teardown(() => app.close())
  // express-session's MemoryStore keeps its sessions in a plain object, by sid.
  await journey(t, app, async () => Object.keys((backend as unknown as { sessions: object }).sessions))
})

t.test('examples/connect-store.ts on connect-redis and a real Redis', { skip: redisSkip() }, async (t) => {
  const redis = await startRedis(t)
  const client = await redisClient(redis.url)
  t.teardown(() => client.destroy())
  const app = await build(new ConnectRedisStore({ client }), SECRET)
  t.teardown(() => app.close())
  await journey(t, app, async () => await client.keys('sess:*'))
})
