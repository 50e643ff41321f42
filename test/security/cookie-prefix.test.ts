// Cookie name prefixes (__Host-, __Secure-), secure: 'auto' following request.protocol, and one loud
// warning when a Secure cookie is set over plain http (browsers drop it without a word).
import Fastify from 'fastify'
import t from 'tap'
import fastifySession, { type FastifySessionOptions } from '../../lib/index.js'
import { build, captureLogs, cookiePair, loginRoutes, SECRET, sessionSetCookie } from '../helpers/index.js'

const routes = loginRoutes

async function register (t: { teardown (fn: () => unknown): void }, options: Partial<FastifySessionOptions>): Promise<void> {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifySession, { secret: SECRET, ...options } as FastifySessionOptions)
  await app.ready()
}

const refused: Array<[string, Partial<FastifySessionOptions>]> = [
  ['__Host- with secure "auto" (the default)', { cookieName: '__Host-sid' }],
  ['__Host- with secure false', { cookieName: '__Host-sid', cookie: { secure: false } }],
  ['__Host- with a path other than /', { cookieName: '__Host-sid', cookie: { secure: true, path: '/app' } }],
  ['__Host- with a domain', { cookieName: '__Host-sid', cookie: { secure: true, domain: 'example.com' } }],
  ['__Host- spelled in another case', { cookieName: '__HOST-sid', cookie: { secure: 'auto' } }],
  ['__Secure- with secure "auto"', { cookieName: '__Secure-sid' }],
  ['__Secure- with secure false', { cookieName: '__secure-sid', cookie: { secure: false } }]
]

for (const [name, options] of refused) {
  t.test(`registration fails: ${name}`, async (t) => {
    await t.rejects(register(t, options), { code: 'FST_SESSION_INVALID_COOKIE_PREFIX' })
  })
}

t.test('registration succeeds for prefixes whose rules hold', async (t) => {
  await t.resolves(register(t, { cookieName: '__Host-sid', cookie: { secure: true, path: '/' } }))
  await t.resolves(register(t, { cookieName: '__Secure-sid', cookie: { secure: true, domain: 'example.com', path: '/app' } }))
  await t.resolves(register(t, { cookieName: 'host-sid', cookie: { secure: false } }), 'no prefix, no rule')
})

t.test('a __Host- session works over https behind a TLS proxy (trustProxy + x-forwarded-proto)', async (t) => {
  const app = await build(t, { cookieName: '__Host-sid', cookie: { secure: true } }, routes, { trustProxy: true })
  const https = { 'x-forwarded-proto': 'https' }
  const login = await app.inject({ url: '/login', headers: https })
  const header = sessionSetCookie(login, '__Host-sid') as string
  t.match(header, /; Path=\/(;|$)/)
  t.match(header, /; Secure(;|$)/)
  t.notMatch(header, /Domain=/i)
  const me = await app.inject({ url: '/me', headers: { ...https, cookie: cookiePair(login, '__Host-sid') } })
  t.same(me.json(), { user: 'alice' })
})

t.test('secure "auto" follows request.protocol; x-forwarded-proto counts only with trustProxy', async (t) => {
  const trusted = await build(t, {}, routes, { trustProxy: true })
  t.match(sessionSetCookie(await trusted.inject({ url: '/login', headers: { 'x-forwarded-proto': 'https' } })), /; Secure/)
  t.notMatch(sessionSetCookie(await trusted.inject({ url: '/login', headers: { 'x-forwarded-proto': 'http' } })), /; Secure/)
  const direct = await build(t, {}, routes)
  t.notMatch(sessionSetCookie(await direct.inject({ url: '/login', headers: { 'x-forwarded-proto': 'https' } })), /; Secure/,
    'a client cannot claim https without a trusted proxy')
})

const warnings = (lines: Array<Record<string, unknown>>): Array<Record<string, unknown>> =>
  lines.filter((l) => l.level === 40 && /Secure/.test(String(l.msg)))

t.test('exactly one warning when Secure cookies go over plain http, however many are sent', async (t) => {
  const logs = captureLogs('warn')
  const app = await build(t, { cookie: { secure: true } }, routes, logs.options)
  for (let i = 0; i < 5; i++) t.match(sessionSetCookie(await app.inject('/login')), /; Secure/)
  t.equal(warnings(logs.lines).length, 1)
})

t.test('no such warning over https, nor for secure "auto" over http', async (t) => {
  const logs = captureLogs('warn')
  const tls = await build(t, { cookie: { secure: true } }, routes, { ...logs.options, trustProxy: true })
  await tls.inject({ url: '/login', headers: { 'x-forwarded-proto': 'https' } })
  const auto = await build(t, {}, routes, logs.options)
  await auto.inject('/login')
  t.equal(warnings(logs.lines).length, 0)
})
