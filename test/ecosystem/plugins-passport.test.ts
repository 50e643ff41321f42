import passportModule from '@fastify/passport'
import type { FastifyInstance } from 'fastify'
import { Strategy as LocalStrategy } from 'passport-local'
import t, { type Test } from 'tap'
import { build } from '../helpers/index.js'
import { type AnyStore, Jar, LOCAL_STORES, redisStore } from '../helpers/plugin-stores.js'
import { redisSkip } from '../helpers/redis-server.js'

// @fastify/passport drives request.session through get/set/data/regenerate (its
// SecureSessionManager): login regenerates keeping its clearSessionIgnoreFields (or everything it
// had, with clearSessionOnLogin: false), logout sets the passport key to undefined, then regenerates.

const { Authenticator } = passportModule

interface User { id: string, name: string }
const USERS: Record<string, User & { password: string }> = {
  alice: { id: 'u1', name: 'alice', password: 'wonderland' }
}

interface PassportSetup {
  authenticator?: ConstructorParameters<typeof Authenticator>[0]
  login?: { keepSessionInfo?: boolean }
}

interface Untyped { get (key: string): unknown, set (key: string, value: unknown): void }

async function passportApp (t: Test, store: AnyStore, setup: PassportSetup = {}): Promise<FastifyInstance> {
  const passport = new Authenticator(setup.authenticator)
  passport.use('local', new LocalStrategy((username, password, done) => {
    const user = USERS[username]
    done(null, user !== undefined && user.password === password ? { id: user.id, name: user.name } : false)
  }))
  passport.registerUserSerializer(async (user: User) => user.id)
  passport.registerUserDeserializer(async (id: string) => {
    const user = Object.values(USERS).find((u) => u.id === id)
    return user === undefined ? null : { id: user.id, name: user.name }
  })
  return await build(t, { store }, async (app) => {
    await app.register(passport.initialize())
    await app.register(passport.secureSession())
    app.post('/cart', async (request) => {
      (request.session as unknown as Untyped).set('cart', ['apple', 'pear'])
      return { ok: true }
    })
    app.post('/login', {
      preValidation: passport.authenticate('local', { authInfo: false, ...setup.login })
    }, async (request) => ({ user: request.user ?? null }))
    app.post('/logout', async (request) => {
      await request.logout()
      return { user: request.user ?? null }
    })
    app.get('/whoami', async (request) => ({
      id: request.session.id,
      user: request.user ?? null,
      authenticated: request.isAuthenticated(),
      cart: (request.session as unknown as Untyped).get('cart') ?? null
    }))
  })
}

interface WhoAmI { id: string, user: User | null, authenticated: boolean, cart: string[] | null }

async function whoami (app: FastifyInstance, jar: Jar): Promise<WhoAmI> {
  return jar.take(await app.inject({ url: '/whoami', headers: jar.headers() })).json()
}

async function login (app: FastifyInstance, jar: Jar, password = 'wonderland'): Promise<number> {
  const res = jar.take(await app.inject({
    method: 'POST', url: '/login', headers: jar.headers(), payload: { username: 'alice', password }
  }))
  return res.statusCode
}

/** A client with a cart in an anonymous session, and that session's id. */
async function shopper (app: FastifyInstance): Promise<{ jar: Jar, before: WhoAmI }> {
  const jar = new Jar()
  jar.take(await app.inject({ method: 'POST', url: '/cart', headers: jar.headers() }))
  const before = await whoami(app, jar)
  return { jar, before }
}

async function loginLogoutSuite (t: Test, store: AnyStore): Promise<void> {
  const app = await passportApp(t, store)
  const { jar, before } = await shopper(app)
  t.same(before.cart, ['apple', 'pear'])
  t.equal(before.authenticated, false)

  t.equal(await login(app, jar, 'wrong'), 401, 'a wrong password is refused')
  const refused = await whoami(app, jar)
  t.equal(refused.id, before.id, 'a failed login keeps the session id')
  t.equal(refused.user, null)

  const preLogin = jar.headers()

  t.equal(await login(app, jar), 200)
  const after = await whoami(app, jar)
  t.not(after.id, before.id, 'login gives the session a new id')
  t.same(after.user, { id: 'u1', name: 'alice' }, 'request.user is set from the session')
  t.equal(after.authenticated, true)
  t.equal(after.cart, null, 'by default login keeps no other session data')

  const replay = (await app.inject({ url: '/whoami', headers: preLogin })).json() as WhoAmI
  t.equal(replay.user, null, 'the cookie from before login never carries the user')

  const out = jar.take(await app.inject({ method: 'POST', url: '/logout', headers: jar.headers() }))
  t.same(out.json(), { user: null })
  const loggedOut = await whoami(app, jar)
  t.equal(loggedOut.user, null, 'logout clears the user')
  t.equal(loggedOut.authenticated, false)
  t.not(loggedOut.id, after.id, 'logout gives the session a new id')
}

/** A shopper with a cart logs in: a new id, request.user set, and the cart still there. */
async function loginKeepingCart (t: Test, app: FastifyInstance): Promise<{ jar: Jar, after: WhoAmI }> {
  const { jar, before } = await shopper(app)
  t.equal(await login(app, jar), 200)
  const after = await whoami(app, jar)
  t.not(after.id, before.id, 'login gives the session a new id')
  t.same(after.user, { id: 'u1', name: 'alice' })
  t.same(after.cart, ['apple', 'pear'], 'the cart is kept')
  return { jar, after }
}

async function keepSuite (t: Test, store: AnyStore): Promise<void> {
  t.test('clearSessionOnLogin: false keeps the session data across login and logout, with a new id', async (t) => {
    const app = await passportApp(t, store, { authenticator: { clearSessionOnLogin: false } })
    const { jar, after } = await loginKeepingCart(t, app)
    jar.take(await app.inject({ method: 'POST', url: '/logout', headers: jar.headers() }))
    const out = await whoami(app, jar)
    t.equal(out.user, null)
    t.same(out.cart, ['apple', 'pear'], 'logout removes only the passport key')
    t.not(out.id, after.id)
  })

  t.test('clearSessionIgnoreFields keeps the listed keys across login, with a new id', async (t) => {
    const app = await passportApp(t, store, { authenticator: { clearSessionIgnoreFields: ['cart'] } })
    await loginKeepingCart(t, app)
  })

  // @fastify/passport 4, for a session with regenerate(), builds the keep-list of keepSessionInfo
  // from Object.keys(request.session): request.session lists its data keys there (and only there).
  t.test('keepSessionInfo keeps the session data across login, with a new id', async (t) => {
    const app = await passportApp(t, store, { login: { keepSessionInfo: true } })
    await loginKeepingCart(t, app)
  })
}

for (const [name, makeStore] of LOCAL_STORES) {
  t.test(`@fastify/passport + passport-local on the ${name}: login, request.user, logout`, async (t) => {
    await loginLogoutSuite(t, makeStore())
  })
  t.test(`@fastify/passport on the ${name}: what login keeps`, async (t) => {
    await keepSuite(t, makeStore())
  })
}

t.test('@fastify/passport + passport-local on the redis store', { skip: redisSkip() }, async (t) => {
  const store = await redisStore(t)
  t.test('login, request.user, logout', async (t) => {
    await loginLogoutSuite(t, store)
  })
  t.test('what login keeps', async (t) => {
    await keepSuite(t, store)
  })
})
