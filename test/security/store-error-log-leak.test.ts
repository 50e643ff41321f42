// A store that refuses a write logs an error, and that line carries no session data, user id, cookie
// or store key, whatever the client attached to its error: ioredis and node-redis put a command and its
// arguments (every field and value of a session write) on reply errors such as OOM under noeviction;
// pg puts the failing row's values in `detail`. Real redis-server (full, every client family) and real
// PostgreSQL (a CHECK constraint that refuses the row).
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { PostgresStore, RedisStore, type SessionStore } from '../../lib/index.js'
import { build, loose } from '../helpers/index.js'
import { postgresSkip, startPostgres, testPool } from '../helpers/postgres-server.js'
import { connectAdmin, connectRow, REDIS_CLIENTS } from '../helpers/redis-clients.js'
import { redisSkip, startRedis } from '../helpers/redis-server.js'

t.setTimeout(180_000)

// What must never reach a log line.
const USER = 'user-7f3a9c-private'
const VALUE = 'card-4111-1111-1111-1111'

function routes (app: FastifyInstance): void {
  app.get('/login', async (request) => {
    loose(request).set('userId', USER)
    return { ok: true }
  })
  app.get('/pay', async (request) => {
    loose(request).set('card', VALUE)
    return { ok: true }
  })
}

/** Logs in, breaks the store with `refuse`, writes again; checks the 503 and what the logs hold. */
async function check (t: Test, store: SessionStore, refuse: () => Promise<void>): Promise<void> {
  const chunks: string[] = []
  const app = await build(t, { store }, routes, { logger: { level: 'trace', stream: { write (line: string) { chunks.push(line) } } } })
  const login = await app.inject('/login')
  t.equal(login.statusCode, 200)
  const cookie = (login.headers['set-cookie'] as string).split(';')[0] as string
  await refuse()
  const res = await app.inject({ url: '/pay', headers: { cookie } })
  t.equal(res.statusCode, 503)
  t.equal(res.json().code, 'FST_SESSION_STORE_UNAVAILABLE')
  const text = chunks.join('')
  const failed = chunks.map((c) => JSON.parse(c) as { msg?: string, err?: Record<string, unknown> })
    .find((l) => l.msg === 'fastify-session-kit: the session store failed to save a session')
  t.ok(failed, 'the failed write is logged')
  t.type(failed?.err?.message, 'string', 'with the error\'s message')
  t.notOk(failed?.err?.command ?? failed?.err?.args ?? failed?.err?.detail, 'and nothing the client attached')
  for (const secret of [USER, VALUE, cookie.slice('sid='.length)]) {
    t.notOk(text.includes(secret), `no log line holds ${secret === USER ? 'the user id' : secret === VALUE ? 'a session value' : 'the cookie'}`)
  }
}

t.test('Redis full (OOM under noeviction): no session data in the log', { skip: redisSkip() }, async (t) => {
  const server = await startRedis(t)
  const admin = await connectAdmin(t, server.port)
  const families = [REDIS_CLIENTS.find((r) => r.family === 'ioredis'), REDIS_CLIENTS.find((r) => r.family === 'node-redis')]
  for (const row of families) {
    if (row === undefined) continue
    await t.test(row.name, async (t) => {
      await admin.config('SET', 'maxmemory', '0')
      await admin.flushall()
      const store = new RedisStore({ client: await connectRow(t, row, server.port), prefix: 'leak:' })
      await check(t, store, async () => {
        await admin.config('SET', 'maxmemory-policy', 'noeviction')
        await admin.config('SET', 'maxmemory', '1')
      })
      await admin.config('SET', 'maxmemory', '0')
    })
  }
})

t.test('PostgreSQL refusing the row (detail holds its values): no session data in the log', { skip: postgresSkip() }, async (t) => {
  const server = await startPostgres(t)
  const pool = testPool(t, server)
  const store = new PostgresStore({ pool, table: 'leaky', sweepIntervalMs: false })
  t.teardown(() => store.close())
  await store.createSchema()
  await check(t, store, async () => {
    await pool.query('ALTER TABLE leaky ADD CONSTRAINT refuse_card CHECK (NOT data ? \'card\')')
  })
})
