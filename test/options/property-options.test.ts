// Fuzz: any options object either validates into a frozen config or fails with an FST_SESSION_* code
// (never a TypeError from deep inside, never a crash), both in buildConfig and through register().
import fc from 'fast-check'
import Fastify from 'fastify'
import t from 'tap'
import fastifySession, { CookieStore, MemoryStore, type FastifySessionOptions } from '../../lib/index.js'
import { buildConfig } from '../../lib/options.js'
import { OTHER_SECRET, SECRET } from '../helpers/index.js'
import { check, fcParams, propertyTimeout } from '../helpers/security-support.js'

propertyTimeout(t)

const noise = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.constantFrom(undefined, null, '', 0, -1, 1.5, NaN, Infinity, 2 ** 53, true, [], {}, () => true, Symbol('s'))
)
// Mostly plausible values with some noise, so that valid configs come up as well as invalid ones.
function mix<T> (plausible: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 20, arbitrary: plausible }, { weight: 1, arbitrary: noise })
}
const seconds = mix(fc.integer({ min: -1, max: 10 ** 7 }))
const secret = fc.oneof(
  { weight: 8, arbitrary: fc.constant(SECRET) },
  fc.constantFrom<unknown>(SECRET, Buffer.from(OTHER_SECRET), [SECRET, OTHER_SECRET], [SECRET, SECRET], [], 'short'),
  fc.string({ maxLength: 64 }),
  fc.uint8Array({ maxLength: 48 }).map((a) => Buffer.from(a)),
  fc.uint8Array({ maxLength: 48 }),
  { weight: 1, arbitrary: fc.array(fc.oneof(fc.string({ minLength: 30, maxLength: 40 }), noise), { maxLength: 3 }) },
  { weight: 1, arbitrary: noise }
)
const store = mix(fc.constantFrom<unknown>('cookie', 'cookie', 'memory', 'memory', 'partial', 'bad-touch')).map((s) => {
  if (s === 'cookie') return new CookieStore()
  if (s === 'memory') return new MemoryStore()
  if (s === 'partial') return { get: async () => undefined, set: async () => {} }
  if (s === 'bad-touch') return { get: async () => undefined, set: async () => {}, destroy: async () => {}, touch: 1 }
  return s
})
const cookie = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      path: mix(fc.constantFrom('/', '/', '/app', 'app', '/a;b', '/\n', '')),
      domain: mix(fc.constantFrom('example.com', '.example.com', 'a;b', 'x\r\ny')),
      secure: mix(fc.constantFrom(true, true, false, 'auto', 'yes')),
      httpOnly: mix(fc.boolean()),
      sameSite: mix(fc.constantFrom('lax', 'strict', 'none', 'Lax', 'None')),
      partitioned: mix(fc.boolean())
    }, { requiredKeys: [] })
  },
  { weight: 1, arbitrary: fc.record({ maxAge: noise }) },
  { weight: 1, arbitrary: noise }
)
const options = fc.record({
  secret,
  store,
  cookieName: mix(fc.oneof(fc.constantFrom('sid', '__Host-sid', '__Secure-sid', '__HOST-x', 'a b', 'a;b', '', 'é'), fc.string({ maxLength: 10 }))),
  cookie: mix(cookie),
  ttl: seconds,
  absoluteTtl: mix(fc.integer({ min: -1, max: 10 ** 8 })),
  saveUninitialized: mix(fc.boolean()),
  onStoreError: mix(fc.constantFrom('fail', 'anonymous', 'ignore')),
  validate: mix(fc.constant(() => true)),
  renewAfter: seconds,
  renewGrace: seconds,
  userKey: mix(fc.constantFrom('userId', 'user', '__proto__', '')),
  maxDataBytes: seconds
}, { requiredKeys: [] }).chain((o) => fc.oneof({ weight: 20, arbitrary: fc.constant(o) }, { weight: 1, arbitrary: noise.map((extra) => ({ ...o, unknownOption: extra })) }))

function codedOrValid (run: () => unknown): boolean {
  try {
    const config = run() as { keyring: { wipe (): void } }
    config.keyring.wipe()
    return Object.isFrozen(config)
  } catch (err) {
    return /^FST_SESSION_[A-Z_]+$/.test(String((err as { code?: unknown }).code))
  }
}

t.test('buildConfig: any options validate or fail with an FST_SESSION_* code', async (t) => {
  let valid = 0
  const property = fc.asyncProperty(options, async (o) => codedOrValid(() => {
    const config = buildConfig(o as unknown as FastifySessionOptions)
    valid++
    return config
  }))
  t.ok(await check(t, property, fcParams()) > 0)
  // The generator reaches valid configs too: the property covers both branches.
  t.ok(valid > 0, `${valid} valid option objects`)
  t.comment(`${valid} valid option objects`)
})

t.test('buildConfig: options that are not an object fail with a code', async (t) => {
  const property = fc.asyncProperty(noise, async (o) => codedOrValid(() => buildConfig(o as FastifySessionOptions)))
  t.ok(await check(t, property, fcParams(0.1, 200)) > 0)
})

t.test('register: any options register or fail with an FST_SESSION_* code', async (t) => {
  const property = fc.asyncProperty(options, async (o) => {
    const app = Fastify()
    try {
      await app.register(fastifySession, o as unknown as FastifySessionOptions)
      await app.ready()
      return true
    } catch (err) {
      return /^FST_SESSION_[A-Z_]+$/.test(String((err as { code?: unknown }).code))
    } finally {
      await app.close()
    }
  })
  t.ok(await check(t, property, fcParams(0.02, 100)) > 0)
})
