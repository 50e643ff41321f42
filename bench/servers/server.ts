/**
 * One benchmark server: `node --import tsx bench/servers/server.ts <case>`. It listens on a free port
 * on 127.0.0.1 and tells the orchestrator the port over IPC. Our plugin is imported by its package
 * name, which resolves to the built `dist/` (what users run), never to the TypeScript sources.
 *
 * The anchors are imported by a computed specifier: each of them (and this package) declares its own
 * `request.session` type, and one program cannot hold all three declarations.
 */
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyRequest } from 'fastify'
import { Redis } from 'ioredis'
import { CASES, DIAGNOSTIC_CASES, SEEDED_COUNTER, USER } from '../cases.js'

const SECRET = 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz'
const PAYLOAD = { user: USER, counter: SEEDED_COUNTER }

interface Body { user: unknown, counter: number }
/** What a route needs of a session library: read, write, and seed. */
interface Access {
  read (request: FastifyRequest): Body
  increment (request: FastifyRequest): Body
  seed (request: FastifyRequest): void
}

async function load<T> (specifier: string): Promise<T> {
  return await import(specifier) as T
}

function redisClient (): Redis {
  return new Redis(Number(process.env.BENCH_REDIS_PORT), '127.0.0.1')
}

// Our plugin: the typed API.
async function kit (app: FastifyInstance, store: 'cookie' | 'memory' | 'redis'): Promise<Access> {
  // KIT_A: another build of this package (an A/B run of an optimisation), for cases named `<case>@A`.
  const variant = process.argv[2]?.endsWith('@A') === true
  const pkg = variant
    ? await load<typeof import('fastify-session-kit')>(process.env.KIT_A as string)
    : await import('fastify-session-kit')
  const options: Record<string, unknown> = { secret: SECRET }
  if (store === 'memory') options.store = new pkg.MemoryStore()
  if (store === 'redis') {
    const client = redisClient()
    app.addHook('onClose', async () => { await client.quit() })
    options.store = new pkg.RedisStore({ client, prefix: 'bench-kit:' })
  }
  await app.register(pkg.default, options as unknown as Parameters<typeof pkg.default>[1])
  return {
    read (request) {
      const s = request.session
      return { user: s.get('user'), counter: s.get('counter') ?? 0 }
    },
    increment (request) {
      const s = request.session
      const counter = (s.get('counter') ?? 0) + 1
      s.set('counter', counter)
      return { user: s.get('user'), counter }
    },
    seed (request) {
      request.session.set('user', USER)
      request.session.set('counter', SEEDED_COUNTER)
    }
  }
}

interface GetSet { get (key: string): unknown, set (key: string, value: unknown): void }
function sessionOf<T> (request: FastifyRequest): T {
  return (request as unknown as { session: T }).session
}

async function secureSession (app: FastifyInstance): Promise<Access> {
  const plugin = (await load<{ default: FastifyPluginAsync<Record<string, unknown>> }>('@fastify/secure-session')).default
  await app.register(plugin, { key: Buffer.alloc(32, 7), cookieName: 'sid', cookie: { path: '/', httpOnly: true } })
  return {
    read (request) {
      const s = sessionOf<GetSet>(request)
      return { user: s.get('user'), counter: s.get('counter') as number }
    },
    increment (request) {
      const s = sessionOf<GetSet>(request)
      const counter = (s.get('counter') as number) + 1
      s.set('counter', counter)
      return { user: s.get('user'), counter }
    },
    seed (request) {
      const s = sessionOf<GetSet>(request)
      s.set('user', USER)
      s.set('counter', SEEDED_COUNTER)
    }
  }
}

type Bag = Record<string, unknown> & { user: unknown, counter: number }
async function fastifySession (app: FastifyInstance, redis: boolean): Promise<Access> {
  const cookie = (await load<{ default: FastifyPluginAsync }>('@fastify/cookie')).default
  const session = (await load<{ default: FastifyPluginAsync<Record<string, unknown>> }>('@fastify/session')).default
  const options: Record<string, unknown> = { secret: SECRET, cookie: { secure: false }, saveUninitialized: false }
  if (redis) {
    const { RedisStore } = await load<{ RedisStore: new (o: object) => unknown }>('connect-redis')
    const client = redisClient()
    app.addHook('onClose', async () => { await client.quit() })
    options.store = new RedisStore({ client, prefix: 'bench-connect:' })
  }
  await app.register(cookie)
  await app.register(session, options)
  return {
    read (request) {
      const s = sessionOf<Bag>(request)
      return { user: s.user, counter: s.counter }
    },
    increment (request) {
      const s = sessionOf<Bag>(request)
      s.counter += 1
      return { user: s.user, counter: s.counter }
    },
    seed (request) {
      const s = sessionOf<Bag>(request)
      s.user = USER
      s.counter = SEEDED_COUNTER
    }
  }
}

// Only what every cookie session pays for: @fastify/cookie parsing the header, and a Set-Cookie of
// a sealed session's length on the way out.
async function cookiePlumbing (app: FastifyInstance, setCookie: boolean): Promise<undefined> {
  const cookie = (await load<{ default: FastifyPluginAsync }>('@fastify/cookie')).default
  await app.register(cookie)
  const header = `sid=${Buffer.alloc(295, 9).toString('base64url')}; Max-Age=86400; Path=/; HttpOnly; SameSite=Lax`
  if (setCookie) {
    app.addHook('onSend', function sendCookie (_request, reply, payload, done) {
      reply.header('set-cookie', header)
      done(null, payload)
    })
  }
  return undefined
}

async function setup (app: FastifyInstance, name: string): Promise<Access | undefined> {
  switch (name.replace(/@A$/, '')) {
    case 'bare':
    case 'diag-cookie-in': return undefined
    case 'diag-fastify-cookie-alone':
    case 'diag-fastify-cookie':
    case 'diag-set-cookie': return await cookiePlumbing(app, name === 'diag-set-cookie')
    case 'kit-no-cookie':
    case 'kit-cookie-rw':
    case 'kit-cookie-ro': return await kit(app, 'cookie')
    case 'kit-memory-rw': return await kit(app, 'memory')
    case 'kit-redis-rw': return await kit(app, 'redis')
    case 'secure-rw':
    case 'secure-ro': return await secureSession(app)
    case 'fsession-memory-rw': return await fastifySession(app, false)
    case 'fsession-redis-rw': return await fastifySession(app, true)
    default: throw new Error(`unknown case ${name}`)
  }
}

async function main (): Promise<void> {
  const name = process.argv[2] ?? ''
  if (![...CASES, ...DIAGNOSTIC_CASES].some((c) => c.name === name.replace(/@A$/, ''))) throw new Error(`unknown case ${name}`)
  const app = Fastify({ logger: false })
  const access = await setup(app, name)
  app.get('/plain', async () => PAYLOAD)
  if (access !== undefined) {
    app.get('/seed', async (request) => {
      access.seed(request)
      return { ok: true }
    })
    app.get('/rw', async (request) => access.increment(request))
    app.get('/ro', async (request) => access.read(request))
  }
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  process.send?.({ port })
  // SIGTERM from the orchestrator: close cleanly so `--cpu-prof` gets written on exit.
  process.once('SIGTERM', () => {
    app.close().then(() => process.exit(0), () => process.exit(1))
  })
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
