// session.markAuthenticated({ method }) records when and how the user last proved who they are, and
// lastAuthenticated() reads it back, on every store: the cookie store, MemoryStore, a real Redis and a
// real PostgreSQL. The record survives a renewal (renewAfter), a key rotation and reload(), keeps its
// time through them, and goes with destroy() and regenerate() without data; a bad method is refused.
import Fastify, { type FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import fastifySession, { CookieStore, type FastifySessionOptions, type SessionStore } from '../../lib/index.js'
import { cookiePair, fakeClock, loose, OTHER_SECRET, SECRET } from '../helpers/index.js'
import { SERVER_STORES } from '../helpers/server-stores.js'

t.setTimeout(180_000)

type Make = (t: Test) => Promise<SessionStore | CookieStore>
const STORES: Array<readonly [string, Make, () => false | string]> = [
  ['cookie', async () => new CookieStore(), () => false],
  ...SERVER_STORES
]

const LOGIN_AT = Date.UTC(2026, 0, 1)

async function app (t: Test, store: SessionStore | CookieStore, options: Partial<FastifySessionOptions> = {}): Promise<FastifyInstance> {
  const fastify = Fastify()
  t.teardown(() => fastify.close())
  await fastify.register(fastifySession, { secret: SECRET, store, ...options } as FastifySessionOptions)
  const proof = (request: { session: { lastAuthenticated (): { at: Date, method: string } | undefined } }): unknown => {
    const last = request.session.lastAuthenticated()
    return last === undefined ? null : { at: last.at.toISOString(), method: last.method, isDate: last.at instanceof Date }
  }
  fastify.get<{ Querystring: { method: string } }>('/login', async (request) => {
    await request.session.regenerate()
    loose(request).set('userId', 'alice')
    request.session.markAuthenticated({ method: request.query.method })
    return { proof: proof(request) }
  })
  fastify.get('/me', async (request) => ({ proof: proof(request), auth: loose(request).get('auth') ?? null }))
  fastify.get('/reload', async (request) => {
    loose(request).set('scratch', 1)
    await request.session.reload()
    return { proof: proof(request) }
  })
  fastify.get('/regenerate-all', async (request) => {
    await request.session.regenerate(true)
    return { proof: proof(request) }
  })
  fastify.get('/regenerate-keys', async (request) => {
    await loose(request).regenerate(['userId'])
    return { proof: proof(request) }
  })
  fastify.get('/regenerate-none', async (request) => {
    await request.session.regenerate()
    return { proof: proof(request) }
  })
  fastify.get('/destroy', async (request) => {
    await request.session.destroy()
    return { proof: proof(request) }
  })
  await fastify.ready()
  return fastify
}

async function me (fastify: FastifyInstance, cookie: string): Promise<unknown> {
  return (await fastify.inject({ url: '/me', headers: { cookie } })).json().proof
}

const PROOF = { at: new Date(LOGIN_AT).toISOString(), method: 'password', isDate: true }

for (const [name, make, skip] of STORES) {
  t.test(name, { skip: skip() }, async (t) => {
    await t.test('markAuthenticated records the time and the method; lastAuthenticated reads them back', async (t) => {
      fakeClock(t, LOGIN_AT)
      const fastify = await app(t, await make(t))
      const login = await fastify.inject('/login?method=password')
      t.same(login.json().proof, PROOF, 'in the request that marked it')
      const cookie = cookiePair(login) as string
      const res = (await fastify.inject({ url: '/me', headers: { cookie } })).json()
      t.same(res.proof, PROOF, 'and in the next one, from the store')
      t.same(res.auth, { at: LOGIN_AT, method: 'password' }, 'kept in the data under authKey as { at, method }')
      t.equal((await fastify.inject('/me')).json().proof, null, 'no cookie, no proof')
    })

    await t.test('a renewal keeps the proof and its time', async (t) => {
      const clock = fakeClock(t, LOGIN_AT)
      const fastify = await app(t, await make(t), { renewAfter: 60 })
      const old = cookiePair(await fastify.inject('/login?method=webauthn')) as string
      clock.tick(61_000)
      const renewing = await fastify.inject({ url: '/me', headers: { cookie: old } })
      const renewed = cookiePair(renewing)
      t.ok(renewed !== undefined && renewed !== old, 'renewed: a new cookie')
      t.same(await me(fastify, renewed as string), { ...PROOF, method: 'webauthn' }, 'same proof after the renewal, time unchanged')
    })

    await t.test('a key rotation keeps the proof and its time', async (t) => {
      fakeClock(t, LOGIN_AT)
      const store = await make(t)
      const before = await app(t, store, { secret: OTHER_SECRET })
      const cookie = cookiePair(await before.inject('/login?method=password')) as string
      const during = await app(t, store, { secret: [SECRET, OTHER_SECRET] })
      const moved = await during.inject({ url: '/me', headers: { cookie } })
      t.same(moved.json().proof, PROOF, 'read under the old secret')
      // The cookie store re-seals (a new cookie); a server store moves the record and keeps the id.
      const after = await app(t, store, { secret: SECRET })
      t.same(await me(after, cookiePair(moved) ?? cookie), PROOF, 'and under the new secret alone, once moved')
    })

    await t.test('reload() keeps the stored proof; regenerate(true) and regenerate([keys]) follow their data', async (t) => {
      fakeClock(t, LOGIN_AT)
      const fastify = await app(t, await make(t))
      const cookie = cookiePair(await fastify.inject('/login?method=password')) as string
      t.same((await fastify.inject({ url: '/reload', headers: { cookie } })).json().proof, PROOF, 'reload')
      const all = await fastify.inject({ url: '/regenerate-all', headers: { cookie } })
      t.same(all.json().proof, PROOF, 'regenerate(true) keeps all data, the proof too')
      t.same(await me(fastify, cookiePair(all) as string), PROOF, 'and writes it under the new id')
      const keys = await fastify.inject({ url: '/regenerate-keys', headers: { cookie: cookiePair(all) as string } })
      t.equal(keys.json().proof, null, 'regenerate([keys]) without the authKey drops it')
      t.equal(await me(fastify, cookiePair(keys) as string), null)
    })

    await t.test('regenerate() and destroy() drop the proof', async (t) => {
      fakeClock(t, LOGIN_AT)
      const fastify = await app(t, await make(t))
      const cookie = cookiePair(await fastify.inject('/login?method=password')) as string
      t.equal((await fastify.inject({ url: '/regenerate-none', headers: { cookie } })).json().proof, null, 'regenerate()')
      const again = cookiePair(await fastify.inject('/login?method=password')) as string
      const destroyed = await fastify.inject({ url: '/destroy', headers: { cookie: again } })
      t.equal(destroyed.json().proof, null, 'destroy()')
      // The cookie store's old cookie is a copy that stays valid until it expires (docs/concurrency.md).
      if (name !== 'cookie') t.equal(await me(fastify, again), null, 'the old id carries no proof any more')
    })
  })
}

t.test('markAuthenticated refuses a method that is not a short token: FST_SESSION_INVALID_AUTH_METHOD, nothing written', async (t) => {
  const fastify = await app(t, new CookieStore())
  const bad: unknown[] = ['', 'two words', 'x'.repeat(65), 'caf\u00e9', 'tab\there']
  for (const method of bad) {
    const res = await fastify.inject({ url: `/login?method=${encodeURIComponent(method as string)}` })
    t.equal(res.statusCode, 500, JSON.stringify(method))
    t.equal(res.json().code, 'FST_SESSION_INVALID_AUTH_METHOD')
    t.equal(cookiePair(res), undefined, 'a 5xx persists nothing')
  }
  const direct = Fastify()
  t.teardown(() => direct.close())
  await direct.register(fastifySession, { secret: SECRET })
  direct.get('/', async (request) => {
    const shapes: unknown[] = [undefined, null, 'password', {}, { method: 1 }]
    return shapes.map((options) => {
      try {
        request.session.markAuthenticated(options as never)
        return 'accepted'
      } catch (err) {
        return (err as { code: string }).code
      }
    }).concat(request.session.lastAuthenticated() === undefined ? 'no proof' : 'proof')
  })
  t.same((await direct.inject('/')).json(), [...Array(5).fill('FST_SESSION_INVALID_AUTH_METHOD'), 'no proof'], 'options of the wrong shape too')
})

t.test('a route without sessions: lastAuthenticated() is undefined, markAuthenticated() is refused', async (t) => {
  const fastify = Fastify()
  t.teardown(() => fastify.close())
  await fastify.register(fastifySession, { secret: SECRET })
  fastify.get('/off', { config: { session: false } }, async (request) => {
    const last = request.session.lastAuthenticated()
    try {
      request.session.markAuthenticated({ method: 'password' })
      return { last, marked: true }
    } catch (err) {
      return { last: last ?? null, code: (err as { code: string }).code }
    }
  })
  t.same((await fastify.inject('/off')).json(), { last: null, code: 'FST_SESSION_DISABLED' })
})
