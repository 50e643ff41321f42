import t from 'tap'
import { type FastifySessionOptions } from '../../lib/index.js'
import { build, SECRET, OTHER_SECRET } from '../helpers/index.js'

// Every mistake fails app.ready() with its own code. Options are passed loosely typed on purpose:
// these are the mistakes a JavaScript caller (or a cast) can make.
const short = 'x'.repeat(31)
const cases: Array<[string, Record<string, unknown>, string]> = [
  ['secret missing', { secret: undefined }, 'FST_SESSION_MISSING_SECRET'],
  ['secret null', { secret: null }, 'FST_SESSION_MISSING_SECRET'],
  ['secret empty string', { secret: '' }, 'FST_SESSION_MISSING_SECRET'],
  ['secret empty array', { secret: [] }, 'FST_SESSION_MISSING_SECRET'],
  ['secret of 31 bytes', { secret: short }, 'FST_SESSION_INVALID_SECRET'],
  ['secret of 31 UTF-8 bytes in fewer characters', { secret: 'é'.repeat(15) + 'x' }, 'FST_SESSION_INVALID_SECRET'],
  ['Buffer secret of 31 bytes', { secret: Buffer.alloc(31, 1) }, 'FST_SESSION_INVALID_SECRET'],
  ['one short entry of an array', { secret: [SECRET, short] }, 'FST_SESSION_INVALID_SECRET'],
  ['one short Buffer entry of an array', { secret: [SECRET, Buffer.alloc(8)] }, 'FST_SESSION_INVALID_SECRET'],
  ['secret a number', { secret: 1234 }, 'FST_SESSION_INVALID_SECRET'],
  ['secret an object', { secret: { key: SECRET } }, 'FST_SESSION_INVALID_SECRET'],
  ['an array entry not a string or Buffer', { secret: [SECRET, 42] }, 'FST_SESSION_INVALID_SECRET'],
  ['the same secret twice', { secret: [SECRET, OTHER_SECRET, SECRET] }, 'FST_SESSION_DUPLICATE_SECRET'],
  ['the same secret as string and Buffer', { secret: [SECRET, Buffer.from(SECRET)] }, 'FST_SESSION_DUPLICATE_SECRET'],
  ['ttl 0', { ttl: 0 }, 'FST_SESSION_INVALID_TTL'],
  ['ttl negative', { ttl: -1 }, 'FST_SESSION_INVALID_TTL'],
  ['ttl fractional', { ttl: 1.5 }, 'FST_SESSION_INVALID_TTL'],
  ['ttl a string', { ttl: '60' }, 'FST_SESSION_INVALID_TTL'],
  ['ttl NaN', { ttl: Number.NaN }, 'FST_SESSION_INVALID_TTL'],
  ['ttl Infinity', { ttl: Infinity }, 'FST_SESSION_INVALID_TTL'],
  ['absoluteTtl 0', { absoluteTtl: 0 }, 'FST_SESSION_INVALID_TTL'],
  ['absoluteTtl negative', { absoluteTtl: -60 }, 'FST_SESSION_INVALID_TTL'],
  ['absoluteTtl fractional', { absoluteTtl: 100.25 }, 'FST_SESSION_INVALID_TTL'],
  ['absoluteTtl shorter than ttl', { ttl: 100, absoluteTtl: 99 }, 'FST_SESSION_ABSOLUTE_TTL_TOO_SHORT'],
  ['absoluteTtl shorter than the default ttl', { absoluteTtl: 3600 }, 'FST_SESSION_ABSOLUTE_TTL_TOO_SHORT'],
  ['renewAfter 0', { renewAfter: 0 }, 'FST_SESSION_INVALID_TTL'],
  ['renewGrace fractional', { renewGrace: 0.5 }, 'FST_SESSION_INVALID_TTL'],
  ['sameSite none without secure', { cookie: { sameSite: 'none' } }, 'FST_SESSION_SAMESITE_NONE_INSECURE'],
  ['sameSite none with secure auto', { cookie: { sameSite: 'none', secure: 'auto' } }, 'FST_SESSION_SAMESITE_NONE_INSECURE'],
  ['sameSite none with secure false', { cookie: { sameSite: 'none', secure: false } }, 'FST_SESSION_SAMESITE_NONE_INSECURE'],
  ['store null', { store: null }, 'FST_SESSION_INVALID_STORE'],
  ['store a string', { store: 'redis' }, 'FST_SESSION_INVALID_STORE'],
  ['store without get', { store: { set: async () => {}, destroy: async () => {} } }, 'FST_SESSION_INVALID_STORE'],
  ['store without set', { store: { get: async () => undefined, destroy: async () => {} } }, 'FST_SESSION_INVALID_STORE'],
  ['store without destroy', { store: { get: async () => undefined, set: async () => {} } }, 'FST_SESSION_INVALID_STORE'],
  ['store with a non-function touch', { store: { get: async () => undefined, set: async () => {}, destroy: async () => {}, touch: true } }, 'FST_SESSION_INVALID_STORE'],
  ['store with a non-function replace', { store: { get: async () => undefined, set: async () => {}, destroy: async () => {}, replace: 1 } }, 'FST_SESSION_INVALID_STORE'],
  ['store with a non-function take', { store: { get: async () => undefined, set: async () => {}, destroy: async () => {}, take: 'no' } }, 'FST_SESSION_INVALID_STORE'],
  ['unknown option', { secrets: SECRET }, 'FST_SESSION_INVALID_OPTION'],
  ['cookie not an object', { cookie: 'secure' }, 'FST_SESSION_INVALID_OPTION'],
  ['cookie null', { cookie: null }, 'FST_SESSION_INVALID_OPTION'],
  ['cookie an array', { cookie: [] }, 'FST_SESSION_INVALID_OPTION'],
  ['unknown cookie option', { cookie: { maxAge: 10 } }, 'FST_SESSION_INVALID_OPTION'],
  ['cookie.path not starting with /', { cookie: { path: 'app' } }, 'FST_SESSION_INVALID_OPTION'],
  ['cookie.path with ;', { cookie: { path: '/a;Domain=evil' } }, 'FST_SESSION_INVALID_OPTION'],
  ['cookie.path with a control character', { cookie: { path: '/a\nb' } }, 'FST_SESSION_INVALID_OPTION'],
  ['cookie.path not a string', { cookie: { path: 1 } }, 'FST_SESSION_INVALID_OPTION'],
  ['cookie.domain with ;', { cookie: { domain: 'example.com; Secure' } }, 'FST_SESSION_INVALID_OPTION'],
  ['cookie.domain empty', { cookie: { domain: '' } }, 'FST_SESSION_INVALID_OPTION'],
  ['cookie.domain not a string', { cookie: { domain: 7 } }, 'FST_SESSION_INVALID_OPTION'],
  ['cookie.secure a string', { cookie: { secure: 'yes' } }, 'FST_SESSION_INVALID_OPTION'],
  ['cookie.httpOnly a string', { cookie: { httpOnly: 'true' } }, 'FST_SESSION_INVALID_OPTION'],
  ['cookie.sameSite unknown', { cookie: { sameSite: 'Lax' } }, 'FST_SESSION_INVALID_OPTION'],
  ['cookie.partitioned a number', { cookie: { partitioned: 1 } }, 'FST_SESSION_INVALID_OPTION'],
  ['cookieName empty', { cookieName: '' }, 'FST_SESSION_INVALID_OPTION'],
  ['cookieName with =', { cookieName: 'a=b' }, 'FST_SESSION_INVALID_OPTION'],
  ['cookieName with a space', { cookieName: 'my sid' }, 'FST_SESSION_INVALID_OPTION'],
  ['cookieName with ;', { cookieName: 'sid;' }, 'FST_SESSION_INVALID_OPTION'],
  ['cookieName not a string', { cookieName: 42 }, 'FST_SESSION_INVALID_OPTION'],
  ['cookieName null', { cookieName: null }, 'FST_SESSION_INVALID_OPTION'],
  ['saveUninitialized a string', { saveUninitialized: 'yes' }, 'FST_SESSION_INVALID_OPTION'],
  ['onStoreError unknown', { onStoreError: 'retry' }, 'FST_SESSION_INVALID_OPTION'],
  ['validate not a function', { validate: true }, 'FST_SESSION_INVALID_OPTION'],
  ['userKey empty', { userKey: '' }, 'FST_SESSION_INVALID_OPTION'],
  ['userKey __proto__', { userKey: '__proto__' }, 'FST_SESSION_INVALID_OPTION'],
  ['userKey not a string', { userKey: 1 }, 'FST_SESSION_INVALID_OPTION'],
  ['authKey empty', { authKey: '' }, 'FST_SESSION_INVALID_OPTION'],
  ['authKey not a string', { authKey: true }, 'FST_SESSION_INVALID_OPTION'],
  ['authKey equal to the default userKey', { authKey: 'userId' }, 'FST_SESSION_INVALID_OPTION'],
  ['authKey equal to userKey', { userKey: 'uid', authKey: 'uid' }, 'FST_SESSION_INVALID_OPTION'],
  ['userKey equal to the default authKey', { userKey: 'auth' }, 'FST_SESSION_INVALID_OPTION'],
  ['maxDataBytes 0', { maxDataBytes: 0 }, 'FST_SESSION_INVALID_OPTION'],
  ['maxDataBytes a string', { maxDataBytes: '1kb' }, 'FST_SESSION_INVALID_OPTION'],
  ['__Host- without secure', { cookieName: '__Host-sid' }, 'FST_SESSION_INVALID_COOKIE_PREFIX'],
  ['__Host- with a path other than /', { cookieName: '__Host-sid', cookie: { secure: true, path: '/app' } }, 'FST_SESSION_INVALID_COOKIE_PREFIX'],
  ['__Host- with a domain', { cookieName: '__Host-sid', cookie: { secure: true, domain: 'example.com' } }, 'FST_SESSION_INVALID_COOKIE_PREFIX'],
  ['__HOST- in other case without secure', { cookieName: '__HOST-sid', cookie: { secure: 'auto' } }, 'FST_SESSION_INVALID_COOKIE_PREFIX'],
  ['__Secure- without secure', { cookieName: '__Secure-sid' }, 'FST_SESSION_INVALID_COOKIE_PREFIX'],
  ['__secure- in other case with secure false', { cookieName: '__secure-sid', cookie: { secure: false } }, 'FST_SESSION_INVALID_COOKIE_PREFIX']
]

for (const [name, options, code] of cases) {
  t.test(`${name} fails app.ready() with ${code}`, async (t) => {
    await t.rejects(build(t, options as Partial<FastifySessionOptions>), { code })
  })
}

t.test('options that are not an object fail with FST_SESSION_INVALID_OPTION', async (t) => {
  const { buildConfig } = await import('../../lib/options.js')
  t.throws(() => buildConfig(null as unknown as FastifySessionOptions), { code: 'FST_SESSION_INVALID_OPTION' })
  t.throws(() => buildConfig('secret' as unknown as FastifySessionOptions), { code: 'FST_SESSION_INVALID_OPTION' })
})

// The rules the errors enforce admit their valid neighbours: each of these registers.
const valid: Array<[string, Record<string, unknown>]> = [
  ['a 32-byte secret', { secret: 'x'.repeat(32) }],
  ['a 32-byte Buffer secret', { secret: Buffer.alloc(32, 7) }],
  ['two distinct secrets', { secret: [SECRET, OTHER_SECRET] }],
  ['absoluteTtl equal to ttl', { ttl: 60, absoluteTtl: 60 }],
  ['sameSite none with secure true', { cookie: { sameSite: 'none', secure: true } }],
  ['__Host- with secure, path / and no domain', { cookieName: '__Host-sid', cookie: { secure: true } }],
  ['__Secure- with secure and a domain', { cookieName: '__Secure-sid', cookie: { secure: true, domain: 'example.com', path: '/app' } }],
  ['a store with every optional method', { store: { get: async () => undefined, set: async () => {}, destroy: async () => {}, touch: async () => {}, patch: async () => {}, replace: async () => true, take: async () => [], listUserSessions: async () => [], revokeUser: async () => 0 } }],
  ['Fastify register options next to ours', { prefix: '/x', logLevel: 'warn' }],
  ['every scalar option at a valid value', { ttl: 60, absoluteTtl: 120, renewAfter: 30, renewGrace: 5, saveUninitialized: true, onStoreError: 'anonymous', userKey: 'uid', authKey: 'proof', maxDataBytes: 1024, validate: () => true }]
]

for (const [name, options] of valid) {
  t.test(`${name} registers`, async (t) => {
    const app = await build(t, options as Partial<FastifySessionOptions>)
    t.ok(app.hasRequestDecorator('session'))
  })
}
