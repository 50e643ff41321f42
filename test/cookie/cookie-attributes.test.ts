import t from 'tap'
import type { FastifySessionOptions } from '../../lib/index.js'
import { build, counterRoutes, sessionSetCookie, type Teardown } from '../helpers/index.js'

const https = { 'x-forwarded-proto': 'https' }

async function cookieFor (t: Teardown, options: Partial<FastifySessionOptions>, headers: Record<string, string> = {}): Promise<string> {
  const app = await build(t, options, counterRoutes, { trustProxy: true })
  const res = await app.inject({ url: '/count', headers })
  const header = sessionSetCookie(res, options.cookieName ?? 'sid') as string
  // Everything after the value, which is random.
  return header.slice(header.indexOf(';'))
}

t.test('defaults: Path=/, HttpOnly, SameSite=Lax, no Secure over http, Max-Age = ttl', async (t) => {
  t.equal(await cookieFor(t, {}), '; Max-Age=86400; Path=/; HttpOnly; SameSite=Lax')
})

t.test("secure: 'auto' sets Secure over https (trustProxy + x-forwarded-proto)", async (t) => {
  t.equal(await cookieFor(t, {}, https), '; Max-Age=86400; Path=/; HttpOnly; Secure; SameSite=Lax')
  t.equal(await cookieFor(t, { cookie: { secure: 'auto' } }, { 'x-forwarded-proto': 'http' }), '; Max-Age=86400; Path=/; HttpOnly; SameSite=Lax')
})

t.test('secure: true sets Secure over http too; secure: false never sets it', async (t) => {
  t.equal(await cookieFor(t, { cookie: { secure: true } }), '; Max-Age=86400; Path=/; HttpOnly; Secure; SameSite=Lax')
  t.equal(await cookieFor(t, { cookie: { secure: false } }, https), '; Max-Age=86400; Path=/; HttpOnly; SameSite=Lax')
})

t.test('domain, path, partitioned and httpOnly: false', async (t) => {
  t.equal(
    await cookieFor(t, { cookie: { domain: 'example.com', path: '/', partitioned: true, httpOnly: false } }, https),
    '; Max-Age=86400; Path=/; Domain=example.com; Secure; SameSite=Lax; Partitioned'
  )
})

t.test('sameSite strict and none', async (t) => {
  t.equal(await cookieFor(t, { cookie: { sameSite: 'strict' } }), '; Max-Age=86400; Path=/; HttpOnly; SameSite=Strict')
  t.equal(await cookieFor(t, { cookie: { sameSite: 'none', secure: true } }, https), '; Max-Age=86400; Path=/; HttpOnly; Secure; SameSite=None')
})

t.test('a __Host- cookie over https', async (t) => {
  t.equal(await cookieFor(t, { cookieName: '__Host-sid', cookie: { secure: true } }, https), '; Max-Age=86400; Path=/; HttpOnly; Secure; SameSite=Lax')
})

t.test('ttl sets Max-Age', async (t) => {
  t.equal(await cookieFor(t, { ttl: 120 }), '; Max-Age=120; Path=/; HttpOnly; SameSite=Lax')
})
