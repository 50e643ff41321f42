// Fuzz: a valid session cookie changed in any way (a flipped bit, cut short, extended, re-encoded as
// standard base64, padded, percent-encoded, a letter's case flipped, whitespace or quotes added, its
// key id swapped) never authenticates and never produces a 5xx.
import fc from 'fast-check'
import t from 'tap'
import { readCookie } from '../../lib/cookie.js'
import { MemoryStore, requireLogin } from '../../lib/index.js'
import type { Session } from '../../lib/session.js'
import { build, cookieValue } from '../helpers/index.js'
import { check, directDriver, fcParams, type DirectDriver, propertyTimeout } from '../helpers/security-support.js'

propertyTimeout(t)

type Untyped = { set (k: string, v: unknown): void, get (k: string): unknown }
const untyped = (s: Session): Untyped => s as unknown as Untyped

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/** A mutation of a cookie value; `at` picks a position (taken modulo the length). */
type Mutation = (value: string, at: number, extra: string) => string

const flipCase = (c: string): string => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())

const MUTATIONS: Record<string, Mutation> = {
  'flip one bit of the decoded bytes': (v, at, extra) => {
    const raw = Buffer.from(v, 'base64url')
    const i = at % raw.length
    raw[i] = (raw[i] as number) ^ (1 << ((extra.length) % 8))
    return raw.toString('base64url')
  },
  'replace the key id': (v, at) => {
    const raw = Buffer.from(v, 'base64url')
    raw.writeUInt32BE((raw.readUInt32BE(1) + 1 + at) >>> 0, 1)
    return raw.toString('base64url')
  },
  'change the version byte': (v, at) => {
    const raw = Buffer.from(v, 'base64url')
    raw[0] = ((raw[0] as number) + 1 + (at % 255)) & 0xff
    return raw.toString('base64url')
  },
  truncate: (v, at) => v.slice(0, at % v.length),
  'drop bytes from the front': (v, at) => v.slice(1 + (at % (v.length - 1))),
  extend: (v, _at, extra) => v + (extra === '' ? 'A' : extra),
  'insert characters': (v, at, extra) => v.slice(0, at % v.length) + (extra === '' ? '_' : extra) + v.slice(at % v.length),
  'replace a character': (v, at) => {
    const i = at % v.length
    const c = v[i] as string
    return v.slice(0, i) + B64URL[(B64URL.indexOf(c) + 1 + (at % 63)) % 64] + v.slice(i + 1)
  },
  'replace the last character (non-canonical low bits)': (v, at) => {
    const c = v[v.length - 1] as string
    return v.slice(0, -1) + B64URL[(B64URL.indexOf(c) + 1 + (at % 3)) % 64]
  },
  'standard base64': (v) => Buffer.from(v, 'base64url').toString('base64'),
  'standard base64 without padding': (v) => Buffer.from(v, 'base64url').toString('base64').replace(/=+$/, ''),
  'base64url with padding': (v) => v + '='.repeat((4 - (v.length % 4)) % 4 || 4),
  'percent-encode a character': (v, at) => {
    const i = at % v.length
    return v.slice(0, i) + '%' + (v.charCodeAt(i)).toString(16).toUpperCase() + v.slice(i + 1)
  },
  'flip the case of a letter': (v, at) => {
    for (let k = 0; k < v.length; k++) {
      const i = (at + k) % v.length
      const c = v[i] as string
      if (flipCase(c) !== c) return v.slice(0, i) + flipCase(c) + v.slice(i + 1)
    }
    return v + 'x'
  },
  'whitespace inside': (v, at, extra) => v.slice(0, 1 + (at % (v.length - 1))) + [' ', '\t', '\u00a0', '\u2028'][extra.length % 4] + v.slice(1 + (at % (v.length - 1))),
  'wrapped in quotes': (v) => `"${v}"`,
  'hex instead of base64url': (v) => Buffer.from(v, 'base64url').toString('hex'),
  'another cookie of the same app under a different name': (v) => v
}

const mutation = fc.record({
  name: fc.constantFrom(...Object.keys(MUTATIONS)),
  at: fc.nat(),
  extra: fc.string({ maxLength: 6 })
})

async function validCookie (d: DirectDriver, user: string): Promise<string> {
  const { session, exchange } = await d.open()
  untyped(session).set('userId', user)
  return await d.persist(session, exchange) as string
}

t.test('a mutated cookie never opens (CookieDriver, no HTTP)', async (t) => {
  const d = directDriver()
  // Sealed for another cookie name by the same secret: the name is in the additional data.
  const other = directDriver({ cookieName: 'other' })
  const property = fc.asyncProperty(fc.string({ minLength: 1, maxLength: 40 }), mutation, async (user, m) => {
    const source = m.name.startsWith('another cookie') ? other : d
    const valid = await validCookie(source, user)
    const mutated = (MUTATIONS[m.name] as Mutation)(valid, m.at, m.extra)
    if (source === d && mutated === valid) return true
    const { session } = await d.open(mutated)
    return session.isNew && untyped(session).get('userId') === undefined
  })
  t.ok(await check(t, property, fcParams()) > 0)
  // The generator really produces working cookies: the property is not vacuous.
  const { session } = await d.open(await validCookie(d, 'alice'))
  t.equal(untyped(session).get('userId'), 'alice')
})

t.test('a mutated session id never finds a session (MemoryStore, no HTTP)', async (t) => {
  const store = new MemoryStore()
  t.teardown(() => store.close())
  const d = directDriver({ store })
  const valid = await validCookie(d, 'alice')
  t.equal(untyped((await d.open(valid)).session).get('userId'), 'alice')
  const property = fc.asyncProperty(mutation.filter((m) => !m.name.startsWith('another')), async (m) => {
    const mutated = (MUTATIONS[m.name] as Mutation)(valid, m.at, m.extra)
    if (mutated === valid) return true
    const { session } = await d.open(mutated)
    return session.isNew && untyped(session).get('userId') === undefined
  })
  t.ok(await check(t, property, fcParams()) > 0)
})

for (const storeName of ['cookie', 'memory'] as const) {
  t.test(`${storeName} store over HTTP: a mutated cookie never authenticates, never a 5xx`, async (t) => {
    const store = storeName === 'memory' ? new MemoryStore() : undefined
    if (store !== undefined) t.teardown(() => store.close())
    const app = await build(t, store === undefined ? {} : { store }, (app) => {
      app.post('/login', async (request) => {
        await request.session.regenerate()
        untyped(request.session).set('userId', (request.body as { user: string }).user)
        return { ok: true }
      })
      app.get('/me', async (request) => ({ user: untyped(request.session).get('userId') ?? null }))
      app.get('/guarded', { preHandler: requireLogin() }, async (request) => ({ user: untyped(request.session).get('userId') ?? null }))
    })
    const login = await app.inject({ method: 'POST', url: '/login', payload: { user: 'alice' } })
    const valid = cookieValue(login) as string
    t.same((await app.inject({ url: '/me', headers: { cookie: `sid=${valid}` } })).json(), { user: 'alice' })
    const property = fc.asyncProperty(mutation.filter((m) => !m.name.startsWith('another')), fc.boolean(), async (m, guarded) => {
      const mutated = (MUTATIONS[m.name] as Mutation)(valid, m.at, m.extra)
      // Whitespace around a value is not part of it, and ';' ends it (RFC 6265 section 5.4): such a
      // change leaves the same cookie.
      if (readCookie(`sid=${mutated}`, 'sid') === valid) return true
      const res = await app.inject({ url: guarded ? '/guarded' : '/me', headers: { cookie: `sid=${mutated}` } })
      if (res.statusCode >= 500) return false
      return guarded ? res.statusCode === 401 : res.json().user === null
    })
    t.ok(await check(t, property, fcParams(0.05, 200)) > 0)
  })
}
