// RedisStore on each supported client, in the states an application's client can be in: its
// server's script cache emptied, not connected yet, closed by the app, its server stopped. Every
// request that names a session then answers 503 FST_SESSION_STORE_UNAVAILABLE promptly (fail
// closed), never hangs or crashes, and the app recovers without a restart.
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { RedisStore } from '../../lib/index.js'
import { build, cookiePair, counterRoutes, type Teardown } from '../helpers/index.js'
import { redisSkip, startRedis } from '../helpers/redis-server.js'
import { REDIS_CLIENTS, type RedisHandle, connectAdmin } from '../helpers/redis-clients.js'

t.setTimeout(120_000)

// "Promptly": far below any HTTP client's patience, with room for a busy CI machine.
const PROMPT_MS = 500
const DAY = 86_400_000

async function appOn (t: Teardown, handle: RedisHandle): Promise<FastifyInstance> {
  return await build(t, { store: new RedisStore({ client: handle.client }) }, counterRoutes)
}

async function expect503 (t: Test, app: FastifyInstance, cookie: string, what: string): Promise<void> {
  const started = performance.now()
  const res = await app.inject({ url: '/count', headers: { cookie } })
  const ms = performance.now() - started
  t.equal(res.statusCode, 503, what)
  t.equal(res.json().code, 'FST_SESSION_STORE_UNAVAILABLE', what)
  t.ok(ms < PROMPT_MS, `${what}: answered in ${Math.round(ms)} ms`)
}

const sleep = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms))

await t.test('RedisStore on each client', { skip: redisSkip() }, async (t) => {
  const redis = await startRedis(t)
  const admin = await connectAdmin(t, redis.port)

  for (const row of REDIS_CLIENTS) {
    await t.test(row.name, async (t) => {
      /** A session made through a connected client of this row: its cookie. */
      const session = async (t: Test): Promise<string> => {
        const handle = row.create(t, redis.port)
        await handle.connect()
        return cookiePair(await (await appOn(t, handle)).inject('/count')) as string
      }

      await t.test('scripts are loaded again after SCRIPT FLUSH', async (t) => {
        const handle = row.create(t, redis.port)
        await handle.connect()
        const store = new RedisStore({ client: handle.client, prefix: 'flush:' })
        const now = Date.now()
        await store.set('k', { data: { a: 1 }, createdAt: now, lastSeenAt: now, user: 'u1' }, DAY)
        await admin.script('FLUSH')
        await store.patch('k', { set: { b: 2 }, unset: [], lastSeenAt: now + 1 }, DAY)
        await admin.script('FLUSH')
        await store.touch('k', DAY, now + 2)
        const back = await store.get('k')
        t.same(back?.data, { a: 1, b: 2 })
        t.equal(back?.lastSeenAt, now + 2)
        await admin.script('FLUSH')
        t.equal(await store.revokeUser('u1'), 1)
      })

      if (row.family === 'node-redis') {
        await t.test('a client not connected yet: 503 at once, then sessions once it is connected', async (t) => {
          const cookie = await session(t)
          const handle = row.create(t, redis.port)
          const app = await appOn(t, handle)
          await expect503(t, app, cookie, 'before connect()')
          await handle.connect()
          t.same((await app.inject({ url: '/count', headers: { cookie } })).json(), { n: 2 })
        })
      }

      const closes: Array<[string, (h: RedisHandle) => Promise<void> | void]> = [['closed by the app', async (h) => await h.close()]]
      if (row.family === 'node-redis') closes.push(['destroyed by the app', (h) => h.destroy?.()])
      for (const [what, close] of closes) {
        await t.test(`a client ${what}: 503 at once, never a hang`, async (t) => {
          const cookie = await session(t)
          const handle = row.create(t, redis.port)
          await handle.connect()
          const app = await appOn(t, handle)
          t.same((await app.inject({ url: '/count', headers: { cookie } })).json(), { n: 2 })
          await close(handle)
          await expect503(t, app, cookie, what)
          await expect503(t, app, cookie, `${what}, again`)
        })
      }

      await t.test('redis-server stopped: 503 at once with the recommended settings, and back without a restart', async (t) => {
        const handle = row.create(t, redis.port)
        await handle.connect()
        const app = await appOn(t, handle)
        const cookie = cookiePair(await app.inject('/count')) as string
        await redis.stop()
        let restarted = false
        t.teardown(async () => { if (!restarted) await redis.start() })
        for (let i = 0; i < 3; i++) await expect503(t, app, cookie, `request ${i + 1} while Redis is down`)
        await redis.start()
        restarted = true
        let res = await app.inject('/count')
        for (let i = 0; i < 50 && res.statusCode !== 200; i++) {
          await sleep(100)
          res = await app.inject('/count')
        }
        t.equal(res.statusCode, 200, 'sessions work again once Redis is back')
      })
    })
  }
})
