// requireRecentAuth lets a logged-in request through only when its user proved who they are recently
// enough (session.markAuthenticated), with a fake clock: fresh, expired, wrong method, missing,
// malformed; 401 JSON or a 303 with the reason; not logged in answered as requireLogin answers it;
// named sessions with their own authKey; the proof kept across renewal and key rotation.
import Fastify, { type FastifyInstance } from 'fastify'
import t from 'tap'
import fastifySession, { requireRecentAuth, type FastifySessionOptions, type Session } from '../../lib/index.js'
import { build, cookiePair, fakeClock, loose, OTHER_SECRET, SECRET } from '../helpers/index.js'

const JSON_ACCEPT = { accept: 'application/json' }
const HTML_ACCEPT = { accept: 'text/html' }

function routes (app: FastifyInstance): void {
  app.post('/login', async (request) => {
    const { method, userId = 'u-1' } = (request.body ?? {}) as { method?: string, userId?: string }
    loose(request).set('userId', userId)
    if (method !== undefined) request.session.markAuthenticated({ method })
    return { ok: true }
  })
  // What an app, or an older version of it, may have written under the proof's key by hand.
  app.post('/raw-auth', async (request) => {
    const { auth, userId } = request.body as { auth: unknown, userId?: string }
    loose(request).set('auth', auth)
    if (userId !== undefined) loose(request).set('userId', userId)
    return { ok: true }
  })
  app.get('/touch', async () => ({ ok: true }))
  app.get('/api/revoke', { preHandler: requireRecentAuth({ maxAge: 600 }) }, async () => ({ done: true }))
  app.get('/settings', { preHandler: requireRecentAuth({ maxAge: 600, redirectTo: '/login' }) }, async () => ({ page: 'settings' }))
  app.get('/pay', { preHandler: requireRecentAuth({ maxAge: 60, methods: ['webauthn', 'totp'], redirectTo: '/auth?step=up' }) }, async () => ({ paid: true }))
  app.get('/custom', {
    preHandler: requireRecentAuth({ maxAge: 600, isAuthenticated: (session) => (session as unknown as { get (k: string): unknown }).get('staff') === true })
  }, async () => ({ custom: true }))
}

async function login (app: FastifyInstance, body: Record<string, unknown>): Promise<string> {
  return cookiePair(await app.inject({ method: 'POST', url: '/login', payload: body })) as string
}

t.test('a fresh proof passes, up to exactly maxAge; one millisecond older is expired (401 JSON, no-store)', async (t) => {
  const clock = fakeClock(t)
  const app = await build(t, {}, routes)
  const cookie = await login(app, { method: 'password' })
  const fresh = await app.inject({ url: '/api/revoke', headers: { cookie, ...JSON_ACCEPT } })
  t.equal(fresh.statusCode, 200)
  t.same(fresh.json(), { done: true })
  t.equal(fresh.headers['cache-control'], undefined, 'no no-store on what it lets through')

  clock.tick(600_000)
  t.equal((await app.inject({ url: '/api/revoke', headers: { cookie } })).statusCode, 200, 'exactly maxAge old still passes')
  clock.tick(1)
  const expired = await app.inject({ url: '/api/revoke', headers: { cookie, ...JSON_ACCEPT } })
  t.equal(expired.statusCode, 401)
  t.same(Object.keys(expired.json()).sort(), ['code', 'error', 'message', 'statusCode'])
  t.equal(expired.json().code, 'FST_SESSION_REAUTH_REQUIRED')
  t.match(expired.json().message, /\(expired\)$/)
  t.equal(expired.headers['cache-control'], 'no-store')
})

t.test('marking again restarts the clock; logged in without any proof is "missing"', async (t) => {
  const clock = fakeClock(t)
  const app = await build(t, {}, routes)
  const noProof = await login(app, {})
  const missing = await app.inject({ url: '/api/revoke', headers: { cookie: noProof } })
  t.equal(missing.statusCode, 401)
  t.equal(missing.json().code, 'FST_SESSION_REAUTH_REQUIRED')
  t.match(missing.json().message, /\(missing\)$/)

  const cookie = await login(app, { method: 'password' })
  clock.tick(700_000)
  t.equal((await app.inject({ url: '/api/revoke', headers: { cookie } })).statusCode, 401, 'too old')
  const again = await app.inject({ method: 'POST', url: '/login', payload: { method: 'password' }, headers: { cookie } })
  t.equal((await app.inject({ url: '/api/revoke', headers: { cookie: cookiePair(again) ?? cookie } })).statusCode, 200, 'proved again')
})

t.test('methods: a proof of another method is refused with "method", whatever its age', async (t) => {
  const clock = fakeClock(t)
  const app = await build(t, {}, routes)
  const password = await login(app, { method: 'password' })
  const res = await app.inject({ url: '/pay', headers: { cookie: password, ...JSON_ACCEPT } })
  t.equal(res.statusCode, 401)
  t.match(res.json().message, /\(method\)$/)
  const passkey = await login(app, { method: 'webauthn' })
  t.equal((await app.inject({ url: '/pay', headers: { cookie: passkey } })).statusCode, 200, 'an accepted method passes')
  clock.tick(60_001)
  const old = await app.inject({ url: '/pay', headers: { cookie: passkey, ...JSON_ACCEPT } })
  t.match(old.json().message, /\(expired\)$/, 'maxAge of this guard: 60 s')
})

t.test('with redirectTo, a browser gets 303 to redirectTo?next=<page>&reason=<reason>', async (t) => {
  const clock = fakeClock(t)
  const app = await build(t, {}, routes)
  const missing = await app.inject({ url: '/settings?tab=security', headers: { cookie: await login(app, {}), ...HTML_ACCEPT } })
  t.equal(missing.statusCode, 303)
  t.equal(missing.headers.location, `/login?next=${encodeURIComponent('/settings?tab=security')}&reason=missing`)
  t.equal(missing.headers['cache-control'], 'no-store')

  const cookie = await login(app, { method: 'password' })
  clock.tick(600_001)
  const expired = await app.inject({ url: '/settings', headers: { cookie, ...HTML_ACCEPT } })
  t.equal(expired.headers.location, '/login?next=%2Fsettings&reason=expired')
  const api = await app.inject({ url: '/settings', headers: { cookie, ...JSON_ACCEPT } })
  t.equal(api.statusCode, 401, 'an API client still gets 401 JSON')
  t.equal(api.json().code, 'FST_SESSION_REAUTH_REQUIRED')

  const method = await app.inject({ url: '/pay', headers: { cookie: await login(app, { method: 'password' }), ...HTML_ACCEPT } })
  t.equal(method.headers.location, '/auth?step=up&next=%2Fpay&reason=method', 'a redirectTo with a query gets & parameters')

  const noRedirect = await app.inject({ url: '/api/revoke', headers: { cookie: await login(app, {}), ...HTML_ACCEPT } })
  t.equal(noRedirect.statusCode, 401, 'without redirectTo, 401 even to HTML')
})

t.test('not logged in is answered as requireLogin answers it, proof or not', async (t) => {
  const app = await build(t, {}, routes)
  const anonymous = await app.inject({ url: '/api/revoke', headers: JSON_ACCEPT })
  t.equal(anonymous.statusCode, 401)
  t.equal(anonymous.json().code, 'FST_SESSION_UNAUTHORIZED')
  const browser = await app.inject({ url: '/settings', headers: HTML_ACCEPT })
  t.equal(browser.statusCode, 303)
  t.equal(browser.headers.location, '/login?next=%2Fsettings', 'no reason: this is a login, not a step-up')

  // A proof without a user: still not logged in.
  const proofOnly = cookiePair(await app.inject({ method: 'POST', url: '/raw-auth', payload: { auth: { at: Date.now(), method: 'password' } } }))
  t.equal((await app.inject({ url: '/api/revoke', headers: { cookie: proofOnly } })).json().code, 'FST_SESSION_UNAUTHORIZED')

  // isAuthenticated decides the login, the proof still the recency.
  const staffNoProof = cookiePair(await app.inject({ method: 'POST', url: '/raw-auth', payload: { auth: null } }))
  t.equal((await app.inject({ url: '/custom', headers: { cookie: staffNoProof } })).json().code, 'FST_SESSION_UNAUTHORIZED')
})

t.test('isAuthenticated: a custom login check, then the proof', async (t) => {
  const app = await build(t, {}, (app) => {
    routes(app)
    app.post('/staff', async (request) => {
      loose(request).set('staff', true)
      if ((request.body as { mark: boolean }).mark) request.session.markAuthenticated({ method: 'sso' })
      return { ok: true }
    })
  })
  const unmarked = cookiePair(await app.inject({ method: 'POST', url: '/staff', payload: { mark: false } }))
  t.match((await app.inject({ url: '/custom', headers: { cookie: unmarked } })).json().message, /\(missing\)$/)
  const marked = cookiePair(await app.inject({ method: 'POST', url: '/staff', payload: { mark: true } }))
  t.same((await app.inject({ url: '/custom', headers: { cookie: marked } })).json(), { custom: true })
})

t.test('a malformed record under authKey counts as no proof: 401 "missing", never a 500', async (t) => {
  const app = await build(t, {}, routes)
  const malformed: unknown[] = [
    'password', 42, [], { at: 'yesterday', method: 'password' }, { at: Date.now() }, { method: 'password' },
    { at: -1, method: 'password' }, { at: 1.5, method: 'password' }, { at: Date.now(), method: '' },
    { at: Date.now(), method: 'two words' }, { at: Date.now(), method: 'x'.repeat(65) }, { at: Date.now(), method: 7 }
  ]
  for (const auth of malformed) {
    const cookie = cookiePair(await app.inject({ method: 'POST', url: '/raw-auth', payload: { auth, userId: 'u-1' } })) as string
    const res = await app.inject({ url: '/api/revoke', headers: { cookie } })
    t.equal(res.statusCode, 401, JSON.stringify(auth))
    t.match(res.json().message, /\(missing\)$/)
  }
  const wellFormed = cookiePair(await app.inject({ method: 'POST', url: '/raw-auth', payload: { auth: { at: Date.now(), method: 'x'.repeat(64) }, userId: 'u-1' } })) as string
  t.equal((await app.inject({ url: '/api/revoke', headers: { cookie: wellFormed } })).statusCode, 200, 'the same shape, well formed, passes')
})

t.test('named sessions: the guard reads its sessionName, under that session\'s own authKey', async (t) => {
  const clock = fakeClock(t)
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifySession, { secret: SECRET })
  await app.register(fastifySession, { secret: OTHER_SECRET, sessionName: 'adminSession', cookieName: 'admin', userKey: 'staffId', authKey: 'staffAuth' } as FastifySessionOptions)
  const admin = (request: { adminSession: unknown }): Session<Record<string, unknown>> => request.adminSession as Session<Record<string, unknown>>
  app.post('/login', async (request) => {
    const { staff, user } = request.body as { staff?: boolean, user?: boolean }
    if (user === true) {
      loose(request).set('userId', 'u-1')
      request.session.markAuthenticated({ method: 'password' })
    }
    if (staff === true) {
      admin(request).set('staffId', 's-1')
      admin(request).markAuthenticated({ method: 'webauthn' })
    }
    return { admin: admin(request).data(), user: request.session.data() }
  })
  app.get('/console', { preHandler: requireRecentAuth({ maxAge: 120, sessionName: 'adminSession', methods: ['webauthn'] }) }, async () => ({ console: true }))
  app.get('/account', { preHandler: requireRecentAuth({ maxAge: 600 }) }, async () => ({ account: true }))
  await app.ready()

  const both = await app.inject({ method: 'POST', url: '/login', payload: { staff: true, user: true } })
  t.same(Object.keys(both.json().admin).sort(), ['staffAuth', 'staffId'], 'the admin session keeps its proof under its authKey')
  t.same(Object.keys(both.json().user).sort(), ['auth', 'userId'])
  const cookie = [cookiePair(both), cookiePair(both, 'admin')].join('; ')
  t.equal((await app.inject({ url: '/console', headers: { cookie } })).statusCode, 200)
  t.equal((await app.inject({ url: '/account', headers: { cookie } })).statusCode, 200)

  clock.tick(121_000)
  const stale = await app.inject({ url: '/console', headers: { cookie } })
  t.equal(stale.statusCode, 401)
  t.match(stale.json().message, /\(expired\)$/, 'the admin guard has its own maxAge')
  t.equal((await app.inject({ url: '/account', headers: { cookie } })).statusCode, 200, 'the user session\'s proof is its own')

  const userOnly = await app.inject({ method: 'POST', url: '/login', payload: { user: true, staff: false } })
  const unstaffed = await app.inject({ url: '/console', headers: { cookie: cookiePair(userOnly) as string } })
  t.equal(unstaffed.json().code, 'FST_SESSION_UNAUTHORIZED', 'the user session\'s login does not count for the admin session')
})

t.test('the proof is kept across renewal (renewAfter) and key rotation; its time is never reset', async (t) => {
  const clock = fakeClock(t)
  const before = await build(t, { secret: OTHER_SECRET, renewAfter: 60 }, routes)
  let cookie = await login(before, { method: 'password' })
  clock.tick(61_000)
  const renewing = await before.inject({ url: '/touch', headers: { cookie } })
  const renewed = cookiePair(renewing)
  t.ok(renewed !== undefined && renewed !== cookie, 'renewed: a new cookie')
  cookie = renewed as string
  t.equal((await before.inject({ url: '/api/revoke', headers: { cookie } })).statusCode, 200, 'the proof survived the renewal')

  // The app restarts with a new secret first; the old one still opens, and the session is re-sealed.
  const after = await build(t, { secret: [SECRET, OTHER_SECRET], renewAfter: 60 }, routes)
  const rotating = await after.inject({ url: '/touch', headers: { cookie } })
  t.ok(cookiePair(rotating) !== undefined, 're-sealed under the new secret')
  cookie = cookiePair(rotating) as string
  const onlyNew = await build(t, { secret: SECRET, renewAfter: 60 }, routes)
  t.equal((await onlyNew.inject({ url: '/api/revoke', headers: { cookie } })).statusCode, 200, 'the proof survived the rotation')

  // Renewal and re-sealing wrote the session again; the proof's time is still the login's.
  clock.tick(600_000 - 61_000)
  t.equal((await onlyNew.inject({ url: '/api/revoke', headers: { cookie } })).statusCode, 200, 'maxAge after the login: still fresh')
  clock.tick(1)
  const res = await onlyNew.inject({ url: '/api/revoke', headers: { cookie } })
  t.equal(res.statusCode, 401)
  t.match(res.json().message, /\(expired\)$/, 'one millisecond later: expired, renewals did not reset it')
})

t.test('options are checked when the guard is made', async (t) => {
  const bad: Array<[string, unknown]> = [
    ['no options', undefined],
    ['null', null],
    ['no maxAge', {}],
    ['maxAge 0', { maxAge: 0 }],
    ['maxAge negative', { maxAge: -5 }],
    ['maxAge fractional', { maxAge: 1.5 }],
    ['maxAge as a string', { maxAge: '600' }],
    ['methods empty', { maxAge: 60, methods: [] }],
    ['methods not an array', { maxAge: 60, methods: 'password' }],
    ['methods with a non-token', { maxAge: 60, methods: ['password', 'one time code'] }],
    ['methods with a number', { maxAge: 60, methods: [1] }]
  ]
  for (const [name, options] of bad) {
    t.throws(() => requireRecentAuth(options as never), { code: 'FST_SESSION_INVALID_OPTION' }, name)
  }
  t.doesNotThrow(() => requireRecentAuth({ maxAge: 1, methods: ['password'] }))
})
