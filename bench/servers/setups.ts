/**
 * How each benchmark setup registers its session library on a Fastify instance, and how a route
 * reads, increments and seeds the session with it. Used by the HTTP server process
 * (bench/servers/server.ts, compiled to plain JavaScript) and by the hooks timing (bench/hooks.ts).
 *
 * The anchors are registered as their READMEs show, and imported by a computed specifier: each of
 * them (and this package) declares its own `request.session` type, and one program cannot hold all
 * three declarations.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify'
import { Redis } from 'ioredis'
import pg from 'pg'
import { pathToFileURL } from 'node:url'
import { SEEDED_COUNTER, USER, WITH_USER, type Setup } from '../cases.js'

export const SECRET = 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz'

/** What a route gets from the session, by shape: the counter alone, or the user object too. */
export interface Body { counter: number, user?: unknown }

/** What a route needs of a session library. */
export interface Access {
  /** Reads the counter, and the user object when `withUser`. */
  read (request: FastifyRequest, withUser: boolean): Body
  /** Increments the counter; reads the user object too when `withUser`. */
  increment (request: FastifyRequest, withUser: boolean): Body
  seed (request: FastifyRequest): void
}

/** Where the builds of this package live: `current` and, for `@A` setups, KIT_A's. */
export interface Builds {
  /** Path of the current build's dist/lib/index.js. */
  readonly current: string
  /** Path of another build's dist/lib/index.js (KIT_A). */
  readonly a?: string | undefined
  /** The redis-server port, for the Redis setups. */
  readonly redisPort?: number | undefined
  /** A connection string to the benchmark's PostgreSQL database, for the PostgreSQL setups. */
  readonly pgUrl?: string | undefined
}

type Kit = typeof import('fastify-session-kit')

async function load<T> (specifier: string): Promise<T> {
  return await import(specifier) as T
}

function redisClient (app: FastifyInstance, builds: Builds): Redis {
  if (builds.redisPort === undefined) throw new Error('this setup needs redis-server (BENCH_REDIS_PORT)')
  const client = new Redis(builds.redisPort, '127.0.0.1')
  app.addHook('onClose', async () => { await client.quit() })
  return client
}

// Both PostgreSQL setups get a pool of the same size on the same server.
function pgPool (app: FastifyInstance, builds: Builds): pg.Pool {
  if (builds.pgUrl === undefined) throw new Error('this setup needs PostgreSQL (BENCH_PG_URL)')
  const pool = new pg.Pool({ connectionString: builds.pgUrl, max: 20, connectionTimeoutMillis: 2000 })
  app.addHook('onClose', async () => { await pool.end() })
  return pool
}

// This package: the typed API, registered with a secret and nothing else on the cookie store.
async function kit (app: FastifyInstance, store: 'cookie' | 'memory' | 'redis' | 'postgres', path: string, builds: Builds): Promise<Access> {
  const pkg = await load<Kit>(pathToFileURL(path).href)
  const options: Record<string, unknown> = { secret: SECRET }
  if (store === 'memory') options.store = new pkg.MemoryStore()
  if (store === 'redis') options.store = new pkg.RedisStore({ client: redisClient(app, builds), prefix: 'bench-kit:' })
  if (store === 'postgres') {
    // No sweeper during a measurement: the anchor's pruning is off too.
    const pgStore = new pkg.PostgresStore({ pool: pgPool(app, builds), table: 'bench_sessions', sweepIntervalMs: false })
    await pgStore.createSchema()
    options.store = pgStore
  }
  await app.register(pkg.default, options as unknown as Parameters<Kit['default']>[1])
  return {
    read (request, withUser) {
      const s = request.session
      const body: Body = { counter: s.get('counter') ?? 0 }
      if (withUser) body.user = s.get('user')
      return body
    },
    increment (request, withUser) {
      const s = request.session
      const counter = (s.get('counter') ?? 0) + 1
      s.set('counter', counter)
      const body: Body = { counter }
      if (withUser) body.user = s.get('user')
      return body
    },
    seed (request) {
      if (WITH_USER) request.session.set('user', USER)
      request.session.set('counter', SEEDED_COUNTER)
    }
  }
}

interface GetSet { get (key: string): unknown, set (key: string, value: unknown): void }
function sessionOf<T> (request: FastifyRequest): T {
  return (request as unknown as { session: T }).session
}

// @fastify/secure-session as its README registers it: a 32-byte key and `cookie: { path: '/', httpOnly: true }`.
async function secureSession (app: FastifyInstance): Promise<Access> {
  const plugin = (await load<{ default: FastifyPluginAsync<Record<string, unknown>> }>('@fastify/secure-session')).default
  await app.register(plugin, { key: Buffer.alloc(32, 7), cookie: { path: '/', httpOnly: true } })
  return {
    read (request, withUser) {
      const s = sessionOf<GetSet>(request)
      const body: Body = { counter: s.get('counter') as number }
      if (withUser) body.user = s.get('user')
      return body
    },
    increment (request, withUser) {
      const s = sessionOf<GetSet>(request)
      const counter = (s.get('counter') as number) + 1
      s.set('counter', counter)
      const body: Body = { counter }
      if (withUser) body.user = s.get('user')
      return body
    },
    seed (request) {
      const s = sessionOf<GetSet>(request)
      if (WITH_USER) s.set('user', USER)
      s.set('counter', SEEDED_COUNTER)
    }
  }
}

type Bag = Record<string, unknown> & { user: unknown, counter: number }
// @fastify/session as its README registers it, after @fastify/cookie (`secure: false` because the
// benchmark speaks plain http), with `saveUninitialized: false` as connect-redis's README sets it (no
// measured request is a new session) and its other defaults, `rolling: true` among them; its default
// store, connect-redis 8 on ioredis (the last major that takes ioredis: the same client as ours), or
// connect-pg-simple as its README sets it up (its own table, no pruning while measured).
async function fastifySession (app: FastifyInstance, backend: 'memory' | 'redis' | 'postgres', builds: Builds, rolling = true): Promise<Access> {
  const cookie = (await load<{ default: FastifyPluginAsync }>('@fastify/cookie')).default
  const session = (await load<{ default: FastifyPluginAsync<Record<string, unknown>> }>('@fastify/session')).default
  const options: Record<string, unknown> = { secret: SECRET, cookie: { secure: false }, saveUninitialized: false }
  if (!rolling) options.rolling = false
  if (backend === 'redis') {
    const { RedisStore } = await load<{ RedisStore: new (o: object) => unknown }>('connect-redis')
    options.store = new RedisStore({ client: redisClient(app, builds), prefix: 'bench-connect:' })
  }
  if (backend === 'postgres') {
    const connectPgSimple = (await load<{ default: (session: unknown) => new (o: object) => unknown }>('connect-pg-simple')).default
    const expressSession = (await load<{ default: unknown }>('express-session')).default
    const PgStore = connectPgSimple(expressSession)
    options.store = new PgStore({ pool: pgPool(app, builds), tableName: 'session', createTableIfMissing: true, pruneSessionInterval: false })
  }
  await app.register(cookie)
  await app.register(session, options)
  return {
    read (request, withUser) {
      const s = sessionOf<Bag>(request)
      const body: Body = { counter: s.counter }
      if (withUser) body.user = s.user
      return body
    },
    increment (request, withUser) {
      const s = sessionOf<Bag>(request)
      s.counter += 1
      const body: Body = { counter: s.counter }
      if (withUser) body.user = s.user
      return body
    },
    seed (request) {
      const s = sessionOf<Bag>(request)
      if (WITH_USER) s.user = USER
      s.counter = SEEDED_COUNTER
    }
  }
}

/** Registers `name` on `app`; undefined for bare Fastify. */
export async function setup (app: FastifyInstance, name: string, builds: Builds): Promise<Access | undefined> {
  const variant = name.endsWith('@A')
  const base = name.replace(/@A$/, '') as Setup
  if (variant && builds.a === undefined) throw new Error(`${name} needs KIT_A`)
  const path = variant ? builds.a as string : builds.current
  switch (base) {
    case 'bare': return undefined
    case 'bare-cookie':
      // Fastify with @fastify/cookie alone, registered as its README shows: the hooks every plugin
      // here brings along (ours registers it when the app has not), without any session work.
      await app.register((await load<{ default: FastifyPluginAsync }>('@fastify/cookie')).default)
      return undefined
    case 'kit-cookie': return await kit(app, 'cookie', path, builds)
    case 'kit-memory': return await kit(app, 'memory', path, builds)
    case 'kit-redis': return await kit(app, 'redis', path, builds)
    case 'kit-postgres': return await kit(app, 'postgres', path, builds)
    case 'secure-session': return await secureSession(app)
    case 'fsession-memory': return await fastifySession(app, 'memory', builds)
    case 'fsession-redis': return await fastifySession(app, 'redis', builds)
    case 'fsession-postgres': return await fastifySession(app, 'postgres', builds)
    case 'fsession-redis-norolling': return await fastifySession(app, 'redis', builds, false)
    case 'fsession-postgres-norolling': return await fastifySession(app, 'postgres', builds, false)
    default: throw new Error(`unknown setup ${name}`)
  }
}
