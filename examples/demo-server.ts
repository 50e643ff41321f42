// The full demo: a small site as HTML pages (login and logout, a dashboard behind
// requireLogin, an admin panel behind requireAdmin whose "log out everywhere" also needs a login in the last
// 10 minutes (requireRecentAuth), preferences with a visit counter, a shopping
// cart), on the cookie store by default. Every state-changing form carries a CSRF token
// (@fastify/csrf-protection, its secret in the session; API clients send it as x-csrf-token). Run it with `npm start`, then open http://127.0.0.1:3000.
//
//   PORT            default 3000
//   HOST            default 127.0.0.1
//   SESSION_SECRET  64 random bytes from `npx fastify-session-kit keygen`; when missing, a random one
//                   is made at startup and every session ends when the server restarts
//   SESSION_STORE   cookie (default) | memory | redis | postgres
//   REDIS_URL       for SESSION_STORE=redis, default redis://127.0.0.1:6379
//   DATABASE_URL    for SESSION_STORE=postgres, default postgres://127.0.0.1:5432/postgres (the demo
//                   creates its sessions table there if it is missing)
import { realpathSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import fastifyFlash from '@fastify/flash'
import fastifyFormbody from '@fastify/formbody'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import fastifySession, { CookieStore, generateSecret, MemoryStore, PostgresStore, RedisStore } from 'fastify-session-kit'
import { authRoutes } from './demo/auth-routes.js'
import { cartRoutes } from './demo/cart-routes.js'
import { csrfProtection } from './demo/csrf.js'
import { errorPages } from './demo/errors.js'
import { pageRoutes } from './demo/page-routes.js'
import { createUserDirectory } from './demo/users.js'

/** Where the demo keeps sessions. */
export type DemoStore = 'cookie' | 'memory' | 'redis' | 'postgres'

/** Options of {@link buildDemo}; `demoOptionsFromEnv` reads them from the environment. */
export interface DemoOptions {
  /** The session secret; when missing, a random one is made and a warning logged. */
  secret?: string | undefined
  /** @default 'cookie' */
  store?: DemoStore
  /** For the redis store. @default 'redis://127.0.0.1:6379' */
  redisUrl?: string
  /** For the postgres store. @default 'postgres://127.0.0.1:5432/postgres' */
  databaseUrl?: string
  /** Device-bound sessions (DBSC, docs/dbsc.md); server stores only. @default false */
  dbsc?: boolean
  /** Serve https with this key and certificate (DBSC in Chromium wants a secure, trusted origin). @default undefined (http) */
  https?: { key: string | Buffer, cert: string | Buffer }
  /** Fastify's logger option. @default { level: 'info' } */
  logger?: FastifyServerOptions['logger']
}

const DEFAULT_DATABASE_URL = 'postgres://127.0.0.1:5432/postgres'
const STORES: readonly DemoStore[] = ['cookie', 'memory', 'redis', 'postgres']

/** The demo's options from `SESSION_SECRET`, `SESSION_STORE`, `REDIS_URL`, `DATABASE_URL` and `SESSION_DBSC=1`. */
export function demoOptionsFromEnv (env: NodeJS.ProcessEnv = process.env): DemoOptions {
  const store = env.SESSION_STORE ?? 'cookie'
  if (!(STORES as readonly string[]).includes(store)) {
    throw new Error(`SESSION_STORE must be one of ${STORES.join(', ')}`)
  }
  return {
    secret: env.SESSION_SECRET === '' ? undefined : env.SESSION_SECRET,
    store: store as DemoStore,
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    databaseUrl: env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    ...(env.SESSION_DBSC === '1' ? { dbsc: true } : {})
  }
}

async function makeStore (app: FastifyInstance, options: DemoOptions): Promise<CookieStore | MemoryStore | RedisStore | PostgresStore> {
  if (options.store === 'memory') return new MemoryStore()
  if (options.store === 'postgres') {
    // Loaded only here: the other stores need no PostgreSQL driver installed. The pool fails fast
    // while the database is down (503s at once), and reconnects by itself when it is back.
    const { default: pg } = await import('pg')
    const pool = new pg.Pool({ connectionString: options.databaseUrl ?? DEFAULT_DATABASE_URL, connectionTimeoutMillis: 2000, query_timeout: 5000 })
    pool.on('error', (err) => app.log.warn({ err }, 'an idle PostgreSQL connection was lost'))
    const store = new PostgresStore({ pool })
    app.addHook('onClose', async () => {
      await store.close()
      await pool.end()
    })
    // A demo may make its own table; a real app does it in its migrations (docs/stores.md).
    await store.createSchema()
    return store
  }
  if (options.store === 'redis') {
    // Loaded only here: the cookie and memory stores need no Redis client installed.
    const { Redis } = await import('ioredis')
    const client = new Redis(options.redisUrl ?? 'redis://127.0.0.1:6379', { enableOfflineQueue: false, maxRetriesPerRequest: 1 })
    await new Promise<void>((resolve, reject) => {
      client.once('ready', resolve)
      client.once('error', reject)
    })
    app.addHook('onClose', async () => { await client.quit() })
    return new RedisStore({ client, prefix: 'demo:sess:' })
  }
  return new CookieStore()
}

/** The demo app, ready to `listen()` or `inject()`. */
export async function buildDemo (options: DemoOptions = {}): Promise<FastifyInstance> {
  const tls = options.https === undefined ? {} : { https: options.https }
  // An https server is typed apart from an http one; the demo's routes do not care which it is.
  const app = Fastify({ logger: options.logger ?? { level: 'info' }, ...tls }) as unknown as FastifyInstance
  let secret = options.secret
  if (secret === undefined) {
    secret = generateSecret()
    app.log.warn('SESSION_SECRET is not set: using a random secret, so every session ends when the server restarts (make one with `npx fastify-session-kit keygen`)')
  }
  const storeName = options.store ?? 'cookie'
  await app.register(fastifyFormbody)
  const dbscPaths = { registrationPath: '/dbsc/session/register', refreshPath: '/dbsc/session/refresh' }
  const dbsc = options.dbsc === true ? { dbsc: { redirectTo: '/login', ...dbscPaths } } : {}
  await app.register(fastifySession, { secret, store: await makeStore(app, options), ...dbsc })
  await app.register(fastifyFlash)
  await csrfProtection(app, options.dbsc === true ? Object.values(dbscPaths) : [])
  errorPages(app)
  const users = await createUserDirectory()
  await app.register(authRoutes, { users })
  await app.register(pageRoutes, { users, storeName, dbsc: options.dbsc === true })
  await app.register(cartRoutes)
  return app
}

async function main (): Promise<void> {
  const app = await buildDemo(demoOptionsFromEnv())
  const port = Number(process.env.PORT ?? 3000)
  const host = process.env.HOST ?? '127.0.0.1'
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => { app.close().then(() => process.exit(0), () => process.exit(1)) })
  }
  await app.listen({ port, host })
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  await main()
}
