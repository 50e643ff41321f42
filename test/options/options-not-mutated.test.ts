import Fastify, { type FastifyInstance } from 'fastify'
import t from 'tap'
import fastifySession, { CookieStore, type FastifySessionOptions } from '../../lib/index.js'
import { cookiePair, counterRoutes, OTHER_SECRET, SECRET, type Teardown } from '../helpers/index.js'

// Registered by hand, not through build(): build() spreads the options into a new object, and the
// object under test must be the one the plugin receives.
async function register (t: Teardown, options: FastifySessionOptions): Promise<FastifyInstance> {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifySession, options)
  counterRoutes(app)
  await app.ready()
  return app
}

function deepFreeze<T> (value: T): T {
  if (typeof value === 'object' && value !== null && !Buffer.isBuffer(value)) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}

function makeOptions (): FastifySessionOptions {
  return {
    secret: [SECRET, OTHER_SECRET],
    store: new CookieStore(),
    cookieName: 'app_session',
    cookie: { path: '/', secure: 'auto', httpOnly: true, sameSite: 'strict', partitioned: false },
    ttl: 600,
    absoluteTtl: 3600,
    saveUninitialized: false,
    renewAfter: 1800,
    userKey: 'uid'
  }
}

t.test('a deep-frozen options object registers and the plugin works with it', async (t) => {
  const options = deepFreeze(makeOptions())
  const app = await register(t, options)
  const first = await app.inject('/count')
  t.same(first.json(), { n: 1 })
  const second = await app.inject({ url: '/count', headers: { cookie: cookiePair(first, 'app_session') } })
  t.same(second.json(), { n: 2 })
})

t.test('the options object is deep-equal before and after registration and use', async (t) => {
  const options = makeOptions()
  const before = makeOptions()
  t.strictSame(options, before, 'baseline: two fresh option objects compare equal')
  const app = await register(t, options)
  await app.inject('/count')
  t.strictSame(options, before)
  t.strictSame(Object.keys(options), Object.keys(before), 'no key added, even with an undefined value')
  t.strictSame(Object.keys(options.cookie ?? {}), Object.keys(before.cookie ?? {}))
})

t.test('options with defaults left out gain no defaults', async (t) => {
  const options = { secret: SECRET }
  await register(t, options)
  t.strictSame(options, { secret: SECRET })
})
