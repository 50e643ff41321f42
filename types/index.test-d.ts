import Fastify, { type FastifyRequest } from 'fastify'
import { expectAssignable, expectError, expectType } from 'tsd'
import fastifySession, {
  CookieStore,
  fastifySession as named,
  generateSecret,
  isDeviceBound,
  MemoryStore,
  PostgresStore,
  RedisStore,
  requireAdmin,
  requireLogin,
  requireRecentAuth,
  requireRole,
  Session,
  type AuthProof,
  type FastifySessionOptions,
  type ReauthReason,
  type SessionManager,
  type SessionStore,
  type SessionSummary,
  withoutSessions
} from 'fastify-session-kit'
import pg from 'pg'

declare module 'fastify-session-kit' {
  interface SessionData {
    userId: string
    role: 'admin' | 'user'
    visits: number
    cart: Array<{ id: number, qty: number }>
  }
}

const app = Fastify()
const secret = generateSecret()
expectType<string>(secret)

app.register(fastifySession, { secret })
app.register(named, { secret: [secret, Buffer.alloc(32)], store: new MemoryStore({ maxSessions: 10 }) })
app.register(fastifySession, {
  secret,
  store: new CookieStore(),
  cookieName: '__Host-sid',
  cookie: { path: '/', secure: true, httpOnly: true, sameSite: 'strict', partitioned: false },
  ttl: 3600,
  absoluteTtl: 86_400,
  saveUninitialized: false,
  onStoreError: 'anonymous',
  validate: async (session, request) => session.get('userId') !== undefined && request.ip !== '',
  renewAfter: 900,
  renewGrace: 30,
  userKey: 'userId',
  authKey: 'auth',
  maxDataBytes: 1024
})

// Missing secret, unknown keys and wrong value types do not compile.
expectError(app.register(fastifySession, {}))
expectError(app.register(fastifySession, { secret, cookieOptions: {} }))
expectError(app.register(fastifySession, { secret, ttl: '3600' }))
expectError(app.register(fastifySession, { secret, cookie: { sameSite: 'bogus' } }))
expectError(app.register(fastifySession, { secret, cookie: { maxAge: 10 } }))
expectError(app.register(fastifySession, { secret, onStoreError: 'ignore' }))
expectError(app.register(fastifySession, { secret, store: {} }))
expectError(app.register(fastifySession, { secret: 42 }))
expectError(app.register(fastifySession, { secret, authKey: 1 }))

app.get('/', async (request) => {
  expectType<Session>(request.session)
  expectType<string | undefined>(request.session.get('userId'))
  expectType<number | undefined>(request.session.get('visits'))
  expectType<Array<{ id: number, qty: number }> | undefined>(request.session.get('cart'))
  request.session.set('visits', 1)
  request.session.set('role', 'admin')
  request.session.set('userId', undefined)
  expectError(request.session.get('nope'))
  expectError(request.session.set('visits', 'one'))
  expectError(request.session.set('role', 'root'))
  expectError(request.session.set('nope', 1))
  expectType<boolean>(request.session.has('cart'))
  expectType<boolean>(request.session.delete('cart'))
  expectType<void>(request.session.clear())
  expectAssignable<{ userId?: string, visits?: number }>(request.session.data())
  expectType<string>(request.session.id)
  expectType<boolean>(request.session.isNew)
  expectType<boolean>(request.session.changed)
  expectType<Promise<void>>(request.session.regenerate())
  expectType<Promise<void>>(request.session.regenerate(true))
  expectType<Promise<void>>(request.session.regenerate(['cart']))
  expectError(request.session.regenerate(['nope']))
  expectType<Promise<void>>(request.session.destroy())
  expectType<void>(request.session.touch())
  expectType<Promise<void>>(request.session.save())
  expectType<Promise<void>>(request.session.reload())
  expectType<void>(request.session.markAuthenticated({ method: 'password' }))
  expectError(request.session.markAuthenticated())
  expectError(request.session.markAuthenticated('password'))
  expectError(request.session.markAuthenticated({ method: 1 }))
  expectType<AuthProof | undefined>(request.session.lastAuthenticated())
  expectType<Date | undefined>(request.session.lastAuthenticated()?.at)
  expectType<string | undefined>(request.session.lastAuthenticated()?.method)
  request.session.options({ maxAge: 30 * 86_400, sameSite: 'strict' })
  expectError(request.session.options({ maxAge: '30' }))
  return 'ok'
})

expectType<SessionManager>(app.session)
expectType<Promise<number>>(app.session.revokeUser('alice'))
expectType<Promise<SessionSummary[]>>(app.session.listUserSessions(42))

app.get('/guarded', { preHandler: requireLogin({ redirectTo: '/login' }) }, async () => 'ok')
app.get('/admin', { preHandler: requireAdmin() }, async () => 'ok')
app.get('/reports', {
  preHandler: requireRole(['admin', 'auditor'], {
    roleKey: 'role',
    isAuthenticated: (session: Session, request: FastifyRequest) => session.has('userId') && request.ip !== ''
  })
}, async () => 'ok')
app.post('/account/password', {
  preHandler: requireRecentAuth({ maxAge: 300, methods: ['password', 'webauthn'], redirectTo: '/login', sessionName: 'session', bound: false })
}, async () => 'ok')
expectError(requireLogin({ redirectTo: 303 }))
expectError(requireRole(42))
expectError(requireRecentAuth())
expectError(requireRecentAuth({}))
expectError(requireRecentAuth({ maxAge: '300' }))
expectError(requireRecentAuth({ maxAge: 300, methods: 'password' }))
expectAssignable<ReauthReason>('expired')
expectError<ReauthReason>('stale')

const custom: SessionStore = {
  async get () { return undefined },
  async set () {},
  async destroy () {}
}
expectAssignable<FastifySessionOptions['store']>(custom)

// PostgresStore takes node-postgres' Pool as it is typed, and nothing looser.
const pgStore = new PostgresStore({ pool: new pg.Pool(), table: 'app.sessions', sweepIntervalMs: false })
expectAssignable<SessionStore>(pgStore)
expectType<Promise<number>>(pgStore.sweep())
expectType<Promise<void>>(pgStore.createSchema())
expectError(new PostgresStore({ pool: new pg.Client() }))
expectError(new PostgresStore({ pool: new pg.Pool(), sweepIntervalMs: true }))

// RedisStore takes the app's own client, typed by shape: ioredis/iovalkey and node-redis 5+ alike.
{
  const { Redis, Cluster } = await import('ioredis')
  const { createClient, createCluster } = await import('redis')
  expectType<RedisStore>(new RedisStore({ client: new Redis() }))
  expectType<RedisStore>(new RedisStore({ client: new Cluster([]) }))
  expectType<RedisStore>(new RedisStore({ client: createClient() }))
  expectType<RedisStore>(new RedisStore({ client: createClient({ RESP: 3 }) }))
  expectType<RedisStore>(new RedisStore({ client: createCluster({ rootNodes: [] }) }))
  expectError(new RedisStore({ client: {} }))
}

// A second session with its own data type: Session<T>, typed from T, apart from SessionData.
interface AdminData {
  adminId: string
  level: 1 | 2
}
declare module 'fastify' {
  interface FastifyRequest {
    adminSession: Session<AdminData>
  }
  interface FastifyInstance {
    adminSession: SessionManager
  }
}
app.register(fastifySession, { secret, sessionName: 'adminSession', cookieName: 'admin', store: new MemoryStore() })
expectError(app.register(fastifySession, { secret, sessionName: 42 }))
app.get('/two', { preHandler: requireAdmin({ sessionName: 'adminSession' }) }, async (request) => {
  expectType<string | undefined>(request.adminSession.get('adminId'))
  expectType<1 | 2 | undefined>(request.adminSession.get('level'))
  request.adminSession.set('level', 2)
  expectError(request.adminSession.set('level', 3))
  expectError(request.adminSession.get('userId'))
  expectError(request.session.get('adminId'))
  expectAssignable<{ adminId?: string }>(request.adminSession.data())
  expectType<Promise<void>>(request.adminSession.regenerate(['adminId']))
  expectError(request.adminSession.regenerate(['cart']))
  return 'ok'
})
expectType<SessionManager>(app.adminSession)
expectError(requireLogin({ sessionName: 1 }))
// A guard of the second session sees its own data type in isAuthenticated.
requireLogin<AdminData>({ sessionName: 'adminSession', isAuthenticated: (session) => session.get('adminId') !== undefined })
requireAdmin<AdminData>({ sessionName: 'adminSession', isAuthenticated: (session) => session.get('level') === 2 })
expectError(requireLogin<AdminData>({ sessionName: 'adminSession', isAuthenticated: (session) => session.get('userId') !== undefined }))
expectError(requireRole<AdminData>('x', { isAuthenticated: (session) => session.get('cart') !== undefined }))
requireRecentAuth<AdminData>({ maxAge: 60, sessionName: 'adminSession', isAuthenticated: (session) => session.get('adminId') !== undefined })
expectError(requireRecentAuth<AdminData>({ maxAge: 60, isAuthenticated: (session) => session.get('userId') !== undefined }))

// Routes without sessions: per route, or a whole scope.
app.get('/health', { config: { session: false } }, async () => 'ok')
expectError(app.get('/health', { config: { session: 'no' } }, async () => 'ok'))
app.register(async (scope) => {
  await scope.register(withoutSessions)
})

// Device-bound sessions: an object of optional keys on a server store; bound guards; isDeviceBound.
app.register(fastifySession, { secret, store: new MemoryStore(), dbsc: {} })
app.register(fastifySession, { secret, store: new MemoryStore(), dbsc: { cookieTtl: 300, require: 'guarded', algorithms: ['ES256'], redirectTo: '/login' } })
expectError(app.register(fastifySession, { secret, store: new MemoryStore(), dbsc: true }))
expectError(app.register(fastifySession, { secret, store: new MemoryStore(), dbsc: { require: 'some' } }))
expectError(app.register(fastifySession, { secret, store: new MemoryStore(), dbsc: { algorithms: ['none'] } }))
expectError(app.register(fastifySession, { secret, store: new MemoryStore(), dbsc: { cookieTTL: 300 } }))
app.get('/bound', { preHandler: requireLogin({ bound: true }) }, async (request) => {
  expectType<Promise<boolean>>(isDeviceBound(request.session))
  return 'ok'
})
expectError(requireLogin({ bound: 'yes' }))
expectType<boolean | undefined>((await app.session.listUserSessions(1))[0]?.bound)
