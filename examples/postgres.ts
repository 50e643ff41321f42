// Sessions in PostgreSQL, shared by every instance of the app: run two of these on two ports against
// one database and a login on one is a login on both. Run: `npx tsx examples/postgres.ts`
// (DATABASE_URL, default postgres://127.0.0.1:5432/postgres; PORT, default 3000), then
//   curl -c jar -b jar -X POST localhost:3000/login/alice
//   curl -b jar localhost:3000/devices
//   curl -b jar -X POST localhost:3000/logout-everywhere
//   psql "$DATABASE_URL" -c 'SELECT user_id, last_seen_at, expires_at FROM sessions'
import { realpathSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifySession, { generateSecret, PostgresStore, requireLogin } from 'fastify-session-kit'
import pg from 'pg'

declare module 'fastify-session-kit' {
  interface SessionData {
    userId: string
    visits: number
  }
}

/**
 * A pool that fails fast while PostgreSQL is down, so requests get a 503 at once instead of waiting:
 * a connection attempt gives up after 2 s and a query after 5 s. The pool opens new connections by
 * itself once the server is back, so the app recovers without a restart.
 */
export function postgresPool (url = process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/postgres'): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 2000, query_timeout: 5000, idleTimeoutMillis: 30_000 })
  // pg reports a dropped idle connection as an 'error' event; unheard, it would end the process.
  pool.on('error', (err) => console.error(`postgres: ${err.message}`))
  return pool
}

/**
 * The app, not listening; the caller owns (and ends) the pool. `createSchema` makes the table on
 * first start, as a demo may: a real app creates it in its migrations (see docs/stores.md).
 */
export async function build (pool: pg.Pool, secret = process.env.SESSION_SECRET ?? generateSecret()): Promise<FastifyInstance> {
  const app = Fastify()
  const store = new PostgresStore({ pool })
  await store.createSchema()
  app.addHook('onClose', async () => { await store.close() })
  await app.register(fastifySession, { secret, store })

  app.post<{ Params: { user: string } }>('/login/:user', async (request) => {
    // A demo login: no password. See examples/login.ts for a real one.
    await request.session.regenerate()
    request.session.set('userId', request.params.user)
    return { user: request.params.user }
  })

  app.get('/', async (request) => {
    const visits = (request.session.get('visits') ?? 0) + 1
    request.session.set('visits', visits)
    return { user: request.session.get('userId') ?? null, visits }
  })

  // "Your devices": when each of this user's sessions began and was last used (never their ids).
  app.get('/devices', { preHandler: requireLogin() }, async (request) => {
    return await app.session.listUserSessions(request.session.get('userId') as string)
  })

  // Password changed, phone lost: end every session of this user, on every instance, in one DELETE.
  app.post('/logout-everywhere', { preHandler: requireLogin() }, async (request) => {
    return { ended: await app.session.revokeUser(request.session.get('userId') as string) }
  })

  app.post('/logout', async (request) => {
    await request.session.destroy()
    return { loggedOut: true }
  })
  return app
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const pool = postgresPool()
  const app = await build(pool)
  app.addHook('onClose', async () => { await pool.end() })
  await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' })
  console.log(`listening on http://${process.env.HOST ?? '127.0.0.1'}:${process.env.PORT ?? 3000}`)
}
