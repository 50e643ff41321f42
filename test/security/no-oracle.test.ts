// No oracle: a cookie refused for any reason (tampered, truncated, expired, sealed under another key,
// under an unknown key id, revoked, an unknown or logged-out id) gets a response byte-identical to
// every other refusal: same status, body and headers (Date aside), on a guarded and on an open route.
// Otherwise an attacker learns which forgeries came close, or that a stolen cookie was merely expired.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { MemoryStore, requireLogin, type FastifySessionOptions } from '../../lib/index.js'
import type { Session } from '../../lib/session.js'
import { build, cookieValue, fakeClock, OTHER_SECRET } from '../helpers/index.js'

type Untyped = { set (k: string, v: unknown): void, get (k: string): unknown }
const untyped = (s: Session): Untyped => s as unknown as Untyped

function routes (denied: Set<string>) {
  return (app: FastifyInstance): void => {
    app.get('/login', async (request) => {
      untyped(request.session).set('userId', 'alice')
      return { ok: true }
    })
    app.get('/logout', async (request) => {
      denied.add(request.session.id)
      await request.session.destroy()
      return { ok: true }
    })
    app.get('/open', async (request) => ({ user: untyped(request.session).get('userId') ?? null }))
    app.get('/guarded', { preHandler: requireLogin() }, async () => ({ ok: true }))
  }
}

function outside (res: LightMyRequestResponse): unknown {
  const headers: Record<string, unknown> = { ...res.headers }
  delete headers.date
  return { status: res.statusCode, headers, body: res.body }
}

function flipByte (value: string, index: number): string {
  const raw = Buffer.from(value, 'base64url')
  raw[index] = (raw[index] as number) ^ 0x01
  return raw.toString('base64url')
}

async function refusals (t: Test, app: FastifyInstance, cookies: Record<string, string>): Promise<void> {
  for (const url of ['/open', '/guarded']) {
    const seen = new Map<string, unknown>()
    for (const [why, value] of Object.entries(cookies)) {
      seen.set(why, outside(await app.inject({ url, headers: { cookie: `sid=${value}` } })))
    }
    const [first, ...rest] = [...seen.entries()]
    const [firstWhy, reference] = first as [string, { status: number, headers: { 'set-cookie'?: string } }]
    t.equal(reference.status, url === '/open' ? 200 : 401, `${url}: ${firstWhy} is refused`)
    t.match(reference.headers['set-cookie'], /^sid=; Max-Age=0;/, `${url}: and its cookie cleared`)
    for (const [why, response] of rest) t.same(response, reference, `${url}: ${why} looks like ${firstWhy}`)
  }
}

t.test('cookie store: every refusal looks the same from outside', async (t) => {
  const clock = fakeClock(t)
  const denied = new Set<string>()
  const options: Partial<FastifySessionOptions> = { ttl: 60, validate: (s) => !denied.has(s.id) }
  const app = await build(t, options, routes(denied))
  const otherApp = await build(t, { ...options, secret: OTHER_SECRET }, routes(denied))
  const expired = cookieValue(await app.inject('/login')) as string
  clock.tick(61_000)
  const valid = cookieValue(await app.inject('/login')) as string
  const revoked = cookieValue(await app.inject('/login')) as string
  await app.inject({ url: '/logout', headers: { cookie: `sid=${revoked}` } })
  t.equal((await app.inject({ url: '/open', headers: { cookie: `sid=${valid}` } })).json().user, 'alice', 'the reference cookie works')

  await refusals(t, app, {
    tampered: flipByte(valid, 40),
    'tampered tag': flipByte(valid, Buffer.from(valid, 'base64url').length - 1),
    truncated: valid.slice(0, 30),
    'not base64url': `${valid.slice(0, -1)}+`,
    expired,
    'wrong key': cookieValue(await otherApp.inject('/login')) as string,
    'unknown key id': flipByte(valid, 2),
    'unknown version': flipByte(valid, 0),
    revoked,
    oversized: 'A'.repeat(5000)
  })
})

t.test('memory store: every refusal looks the same from outside', async (t) => {
  const clock = fakeClock(t)
  const store = new MemoryStore()
  t.teardown(() => store.close())
  const denied = new Set<string>()
  const app = await build(t, { store, ttl: 60, validate: (s) => !denied.has(s.id) }, routes(denied))
  const expired = cookieValue(await app.inject('/login')) as string
  clock.tick(61_000)
  const valid = cookieValue(await app.inject('/login')) as string
  const loggedOut = cookieValue(await app.inject('/login')) as string
  await app.inject({ url: '/logout', headers: { cookie: `sid=${loggedOut}` } })
  const revoked = cookieValue(await app.inject('/login')) as string
  denied.add(revoked)
  t.equal((await app.inject({ url: '/open', headers: { cookie: `sid=${valid}` } })).json().user, 'alice', 'the reference cookie works')

  await refusals(t, app, {
    'unknown id': 'A'.repeat(43),
    'one character changed': (valid[0] === 'A' ? 'B' : 'A') + valid.slice(1),
    'wrong shape': valid.slice(0, 42),
    expired,
    'logged out': loggedOut,
    revoked,
    oversized: 'A'.repeat(5000)
  })
})
