// A re-authentication (markAuthenticated) in one request overlapping a renewal in another keeps the
// proof. Both requests come with the same cookie, both find the session due for a new id (renewAfter),
// and fast-check's scheduler orders every store call of the two, on MemoryStore, a real Redis and a real
// PostgreSQL. Whichever request renews, the browser's cookie afterwards (the new id, or the old one while
// its grace lasts) must carry the new proof with its time, never the login's older one or none. Then the
// order that lost it before the renewal's catch-up, made on purpose: the other request loads the old id's
// copy after the move marked it, and its forward finds no new record yet. And a logout overlapping
// both: whatever the order, no cookie any of them sent is logged in once all three have answered, and
// none holds a proof unless it is a session the re-authentication started after the logout.
import fc from 'fast-check'
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import fastifySession, { type SessionRecord, type SessionStore } from '../../lib/index.js'
import { cookiePair, fakeClock, loose, SECRET } from '../helpers/index.js'
import { check, fcParams } from '../helpers/security-support.js'
import { SERVER_STORES } from '../helpers/server-stores.js'

t.setTimeout(300_000)

const RENEW_AFTER_S = 60

/** The store, with each call held until the scheduler lets it start while `slot.s` is set. */
function scheduled (store: SessionStore, slot: { s: fc.Scheduler | undefined }): SessionStore {
  const out: Record<string, unknown> = {}
  for (const method of ['get', 'set', 'destroy', 'touch', 'patch', 'replace', 'take', 'listUserSessions', 'revokeUser'] as const) {
    const fn = store[method] as ((...args: unknown[]) => Promise<unknown>) | undefined
    if (fn === undefined) continue
    out[method] = async (...args: unknown[]) => {
      if (slot.s !== undefined) await slot.s.schedule(Promise.resolve(), `${method}(${String(args[0]).slice(0, 4)})`)
      return await fn.apply(store, args)
    }
  }
  return out as unknown as SessionStore
}

async function makeApp (t: Test, store: SessionStore): Promise<FastifyInstance> {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifySession, { secret: SECRET, store, renewAfter: RENEW_AFTER_S })
  app.get('/login', async (request) => {
    await request.session.regenerate()
    loose(request).set('userId', 'alice')
    request.session.markAuthenticated({ method: 'password' })
    return { ok: true }
  })
  app.get('/page', async (request) => ({ user: loose(request).get('userId') ?? null }))
  app.get('/logout', async (request) => {
    await request.session.destroy()
    return { ok: true }
  })
  app.get('/data', async (request) => request.session.data())
  app.get('/reauth', async (request) => {
    // isNew: the request came after a logout ended the session, and marks a fresh anonymous one.
    const fresh = request.session.isNew
    request.session.markAuthenticated({ method: 'webauthn' })
    return { ok: true, fresh }
  })
  app.get<{ Querystring: { user?: string } }>('/switch', async (request) => {
    const s = loose(request)
    if (request.query.user === undefined) s.delete('userId')
    else s.set('userId', request.query.user)
    s.delete('scratch')
    request.session.markAuthenticated({ method: 'webauthn' })
    return { ok: true }
  })
  app.get('/prepare', async (request) => {
    loose(request).set('scratch', 1)
    // Its keys in an order PostgreSQL's jsonb does not keep: read back, it is equal but not the same JSON.
    loose(request).set('prefs', { theme: 'dark', n: 1 })
    return { ok: true }
  })
  app.get('/proof', async (request) => {
    const last = request.session.lastAuthenticated()
    return { user: loose(request).get('userId') ?? null, proof: last === undefined ? null : { at: last.at.getTime(), method: last.method } }
  })
  await app.ready()
  return app
}

for (const [name, make, skip] of SERVER_STORES) {
  t.test(`${name}: a re-authentication overlapping a renewal keeps the new proof, whatever the order`, { skip: skip() }, async (t) => {
    const clock = fakeClock(t)
    const slot: { s: fc.Scheduler | undefined } = { s: undefined }
    const app = await makeApp(t, scheduled(await make(t), slot))
    const runs = await check(t, fc.asyncProperty(fc.scheduler(), fc.boolean(), async (s, reauthFirst) => {
      const old = cookiePair(await app.inject('/login')) as string
      clock.tick(RENEW_AFTER_S * 1000 + 1000)
      const reauthAt = Date.now()
      slot.s = s
      let answers: LightMyRequestResponse[]
      try {
        const page = (): Promise<LightMyRequestResponse> => app.inject({ url: '/page', headers: { cookie: old } })
        const reauth = (): Promise<LightMyRequestResponse> => app.inject({ url: '/reauth', headers: { cookie: old } })
        const both = reauthFirst ? [reauth(), page()] : [page(), reauth()]
        answers = await s.waitFor(Promise.all(both))
      } finally {
        slot.s = undefined
      }
      const problems: string[] = []
      for (const res of answers) if (res.statusCode !== 200) problems.push(`a request answered ${res.statusCode}`)
      // The browser keeps the last cookie it was sent; a request that lost the race to renew sends none.
      const sent = answers.map((res) => cookiePair(res)).filter((c) => c !== undefined)
      const cookies = new Set([old, ...sent])
      for (const cookie of cookies) {
        const seen = (await app.inject({ url: '/proof', headers: { cookie } })).json()
        const which = cookie === old ? 'the old id (in its grace)' : 'the renewed id'
        if (seen.user !== 'alice') problems.push(`${which} is logged out`)
        else if (seen.proof?.method !== 'webauthn' || seen.proof?.at !== reauthAt) problems.push(`${which} holds the proof ${JSON.stringify(seen.proof)}`)
      }
      if (problems.length > 0) throw new Error(`${problems.join('; ')}\norder: ${s.report().map((r) => r.label).join(' ')}`)
    }), fcParams(0.005, 30))
    t.ok(runs >= 30, `${runs} orders kept the proof`)
  })
}

for (const [name, make, skip] of SERVER_STORES) {
  t.test(`${name}: a logout overlapping a renewal and a re-authentication ends the session, whatever the order`, { skip: skip() }, async (t) => {
    const clock = fakeClock(t)
    const slot: { s: fc.Scheduler | undefined } = { s: undefined }
    const app = await makeApp(t, scheduled(await make(t), slot))
    const urls = ['/page', '/reauth', '/logout']
    const runs = await check(t, fc.asyncProperty(fc.scheduler(), fc.shuffledSubarray(urls, { minLength: 3 }), async (s, order) => {
      const old = cookiePair(await app.inject('/login')) as string
      clock.tick(RENEW_AFTER_S * 1000 + 1000)
      slot.s = s
      let answers: LightMyRequestResponse[]
      try {
        answers = await s.waitFor(Promise.all(order.map((url) => app.inject({ url, headers: { cookie: old } }))))
      } finally {
        slot.s = undefined
      }
      const problems: string[] = []
      for (const res of answers) if (res.statusCode !== 200) problems.push(`a request answered ${res.statusCode}`)
      // A /reauth that loaded after the logout took the record marks a fresh anonymous session (this
      // route checks no user; requireRecentAuth does): the one cookie that may hold a proof, never a user.
      const reauth = answers[order.indexOf('/reauth')] as LightMyRequestResponse
      const fresh = reauth.json().fresh === true ? cookiePair(reauth) : undefined
      // Every cookie any of them sent (a renewed id, a re-sent old one), and the old one itself.
      const cookies = new Set([old, ...answers.map((res) => cookiePair(res)).filter((c) => c !== undefined)])
      for (const cookie of cookies) {
        const seen = (await app.inject({ url: '/proof', headers: { cookie } })).json()
        if (seen.user !== null || (seen.proof !== null && cookie !== fresh)) {
          problems.push(`${cookie === old ? 'the old id' : 'a new id'} still holds ${JSON.stringify(seen)}`)
        }
      }
      if (problems.length > 0) throw new Error(`${problems.join('; ')}\nstarted: ${order.join(' ')}; order: ${s.report().map((r) => r.label).join(' ')}`)
    }), fcParams(0.005, 30))
    t.ok(runs >= 30, `${runs} orders left nothing logged in`)
  })
}

/** The store, with the next `set()` held at a gate while one is armed: a renewal's write of its new record. */
function gated (store: SessionStore): { store: SessionStore, hold: () => { reached: Promise<void>, release: () => void } } {
  let armed: { reach: () => void, released: Promise<void> } | undefined
  const out: Record<string, unknown> = {}
  // Bound to the store: its own calls (a MemoryStore's replace() writes through this.set) are not held.
  for (const method of ['get', 'destroy', 'touch', 'patch', 'replace', 'take', 'listUserSessions', 'revokeUser'] as const) {
    const fn = store[method] as ((...args: unknown[]) => Promise<unknown>) | undefined
    if (fn !== undefined) out[method] = fn.bind(store)
  }
  out.set = async (key: string, record: SessionRecord, ttlMs: number) => {
    const gate = armed
    armed = undefined
    if (gate !== undefined) {
      gate.reach()
      await gate.released
    }
    await store.set(key, record, ttlMs)
  }
  return {
    store: out as unknown as SessionStore,
    hold () {
      let reach!: () => void
      let release!: () => void
      const reached = new Promise<void>((resolve) => { reach = resolve })
      armed = { reach, released: new Promise<void>((resolve) => { release = resolve }) }
      return { reached, release }
    }
  }
}

for (const [name, make, skip] of SERVER_STORES) {
  t.test(`${name}: a change forwarded before the renewed record exists is caught up by the renewal`, { skip: skip() }, async (t) => {
    const clock = fakeClock(t)
    const { store, hold } = gated(await make(t))
    const app = await makeApp(t, store)
    for (const next of ['bob', undefined]) {
      const login = cookiePair(await app.inject('/login')) as string
      const old = cookiePair(await app.inject({ url: '/prepare', headers: { cookie: login } })) ?? login
      clock.tick(RENEW_AFTER_S * 1000 + 1000)
      const reauthAt = Date.now()
      const gate = hold()
      const renewing = app.inject({ url: '/page', headers: { cookie: old } })
      await Promise.race([gate.reached, renewing.then(() => { throw new Error('the renewal wrote no new record') })])
      // The old id is marked as moved, the new record not written: this request's forward finds nothing.
      const query = next === undefined ? '' : `?user=${next}`
      t.equal((await app.inject({ url: `/switch${query}`, headers: { cookie: old } })).statusCode, 200)
      gate.release()
      const renewed = cookiePair(await renewing) as string
      t.not(renewed, old, 'the first request renewed the session')
      const seen = (await app.inject({ url: '/proof', headers: { cookie: renewed } })).json()
      t.same(seen, { user: next ?? null, proof: { at: reauthAt, method: 'webauthn' } }, `${next ?? 'no user'}: the renewed id has the forwarded changes`)
      const data = (await app.inject({ url: '/data', headers: { cookie: renewed } })).json()
      t.same(data.scratch, undefined, 'a key the forward deleted is deleted')
      t.same(data.prefs, { theme: 'dark', n: 1 }, 'the rest is as written')
      if (store.listUserSessions !== undefined) {
        t.equal((await store.listUserSessions('alice')).length, 0, 'the per-user index follows: not alice\'s any more')
        if (next !== undefined) t.equal((await store.listUserSessions(next)).length, 2, `${next}'s: the renewed record and the old id's copy`)
      }
    }
  })
}
