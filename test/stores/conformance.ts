// The conformance suite every server store passes. Store authors: copy this file into your tests,
// change the import below to 'fastify-session-kit', and call storeConformance() from a tap test file
// with a factory that makes a fresh, empty store (see docs/stores.md, "The conformance suite").
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify'
import type { Test } from 'tap'
import fastifySession, { type FastifySessionOptions, type SessionRecord, type SessionStore } from '../../lib/index.js'

/** Options of {@link storeConformance}: what the suite can do with the store's backend. */
export interface ConformanceOptions {
  /**
   * Everything the backend holds, as one string (for a Redis store: every key with its contents).
   * Given, the suite also checks that no raw session id ever reaches the backend.
   */
  dump?: () => Promise<string>
  /** Stops and restarts the backend, for the outage tests (data may be lost across the restart). */
  outage?: { stop: () => Promise<void>, start: () => Promise<void> }
}

/** Makes a fresh store for one subtest; register its cleanup on `t`. */
export type StoreFactory = (t: Test) => SessionStore | Promise<SessionStore>

const SECRET = 'conformance-secret-0123456789abcdefghijklmnopqrstuvwxyz'
const DAY = 86_400_000
// A TTL short enough to wait out, long enough that the steps before the wait finish within it on a
// busy machine.
const SHORT = 500
const sleep = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms))

function record (data: Record<string, unknown>, extra: Partial<SessionRecord> = {}): SessionRecord {
  const now = Date.now()
  return { data, createdAt: now - 1000, lastSeenAt: now, ...extra }
}

function pair (res: LightMyRequestResponse): string {
  const raw = res.headers['set-cookie']
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]
  const line = list.find((c) => c.startsWith('sid='))
  if (line === undefined) throw new Error('the response set no session cookie')
  return line.split(';')[0] as string
}

type Untyped = { get (k: string): unknown, set (k: string, v: unknown): void }
interface Held { loaded: Promise<void>, release: () => void }

async function app (t: Test, store: SessionStore, options: Partial<FastifySessionOptions> = {}): Promise<FastifyInstance> {
  const fastify = Fastify()
  t.teardown(() => fastify.close())
  await fastify.register(fastifySession, { secret: SECRET, store, ...options })
  fastify.post<{ Params: { k: string }, Body: { v: unknown } }>('/set/:k', async (request) => {
    (request.session as unknown as Untyped).set(request.params.k, request.body.v)
    return { ok: true }
  })
  fastify.get('/data', async (request) => ({ data: request.session.data(), isNew: request.session.isNew }))
  fastify.post('/logout', async (request) => {
    await request.session.destroy()
    return { ok: true }
  })
  let gate: Promise<void> | undefined
  let open: (() => void) | undefined
  let entered: (() => void) | undefined
  fastify.post('/slow', async (request) => {
    entered?.()
    await gate
    ;(request.session as unknown as Untyped).set('same', 'slow')
    return { ok: true }
  })
  // Holds the next /slow request in its handler (its session already loaded) until released.
  fastify.decorate('holdSlow', () => {
    gate = new Promise((resolve) => { open = resolve })
    const loaded = new Promise<void>((resolve) => { entered = resolve })
    return { loaded, release: () => open?.() }
  })
  await fastify.ready()
  return fastify
}

/**
 * Runs the whole conformance suite against the store that `makeStore` makes, as subtests of `t`.
 * Optional capabilities (touch, patch, the per-user index) are tested when the store has them.
 *
 * @example
 * ```ts
 * import t from 'tap'
 * await storeConformance(t, 'MemoryStore', (t) => { const s = new MemoryStore(); t.teardown(() => s.close()); return s })
 * ```
 */
export async function storeConformance (t: Test, name: string, makeStore: StoreFactory, options: ConformanceOptions = {}): Promise<void> {
  await t.test(`${name}: store conformance`, async (t) => {
    await t.test('get of an unknown key is undefined', async (t) => {
      const store = await makeStore(t)
      t.equal(await store.get('no-such-key'), undefined)
    })

    await t.test('set then get returns an equal record, falsy and nested values included', async (t) => {
      const store = await makeStore(t)
      const r = record({ n: 0, s: '', f: false, z: null, nested: { list: [1, { a: 'é€😀' }] } }, { user: 'u1', renewedAt: Date.now() - 10 })
      await store.set('k1', r, DAY)
      t.same(await store.get('k1'), r)
      const plain = record({ a: 1 })
      await store.set('k2', plain, DAY)
      const back = await store.get('k2')
      t.same(back, plain)
      t.notOk(back !== undefined && 'user' in back, 'no user when none was set')
      t.notOk(back !== undefined && 'renewedAt' in back, 'no renewedAt when none was set')
    })

    await t.test('set replaces the whole record', async (t) => {
      const store = await makeStore(t)
      await store.set('k', record({ a: 1, b: 2 }, { user: 'u1' }), DAY)
      const next = record({ c: 3 })
      await store.set('k', next, DAY)
      t.same(await store.get('k'), next)
    })

    await t.test('a key named __proto__ is data, not a prototype', async (t) => {
      const store = await makeStore(t)
      const data = JSON.parse('{"__proto__":{"polluted":true},"a":1}') as Record<string, unknown>
      await store.set('k', record(data), DAY)
      const back = await store.get('k')
      t.ok(back !== undefined && Object.hasOwn(back.data, '__proto__'))
      // Compared as sorted entries: the order of a session's keys is not part of the contract (jsonb,
      // for one, keeps keys in its own order).
      const entries = (d: Record<string, unknown> | undefined): string => JSON.stringify(Object.entries(d ?? {}).sort(([a], [b]) => a < b ? -1 : 1))
      t.equal(entries(back?.data), entries(data))
      t.equal(({} as Record<string, unknown>).polluted, undefined)
      t.equal(Object.getPrototypeOf(back?.data), Object.prototype)
    })

    await t.test('any string is a key or a user: lone surrogates, quotes, backslashes, control characters', async (t) => {
      const store = await makeStore(t)
      const odd = ['\ud800', 'x\udc00', 'a"b', 'back\\slash', 'line\nbreak', '\u0000', 'd:nested', 'user', '😀']
      const data = Object.fromEntries(odd.map((k, i) => [k, { i, k }]))
      const user = 'u\ud800"\\'
      await store.set('k', record(data, { user }), DAY)
      const back = await store.get('k')
      t.same(back?.data, data)
      t.equal(back?.user, user)
      if (store.patch !== undefined) {
        await store.patch('k', { set: { '\ud800': 'changed' }, unset: ['a"b'], lastSeenAt: Date.now() }, DAY)
        const patched = await store.get('k')
        t.equal(patched?.data['\ud800'], 'changed')
        t.notOk(patched !== undefined && Object.hasOwn(patched.data, 'a"b'))
      }
      if (store.listUserSessions !== undefined && store.revokeUser !== undefined) {
        t.equal((await store.listUserSessions(user)).length, 1)
        t.equal(await store.revokeUser(user), 1)
        t.equal(await store.get('k'), undefined)
      }
    })

    await t.test('destroy removes the record; destroying a missing one is not an error', async (t) => {
      const store = await makeStore(t)
      await store.set('k', record({ a: 1 }), DAY)
      await store.destroy('k')
      t.equal(await store.get('k'), undefined)
      await t.resolves(store.destroy('k'))
    })

    await t.test('copy semantics: what set was given and what get returned are not the store', async (t) => {
      const store = await makeStore(t)
      const r = record({ list: [1], obj: { a: 1 } })
      await store.set('k', r, DAY)
      ;(r.data.list as number[]).push(2)
      r.data.added = true
      const first = await store.get('k')
      t.same(first?.data, { list: [1], obj: { a: 1 } })
      ;(first?.data.obj as Record<string, unknown>).a = 2
      if (first !== undefined) first.data.other = 1
      t.same((await store.get('k'))?.data, { list: [1], obj: { a: 1 } })
    })

    await t.test('TTL: a record is gone once its ttl has passed, and kept before', async (t) => {
      const store = await makeStore(t)
      await store.set('short', record({ a: 1 }), SHORT)
      await store.set('long', record({ a: 2 }), DAY)
      t.ok(await store.get('short'), 'there before its ttl')
      await sleep(SHORT + 300)
      t.equal(await store.get('short'), undefined)
      t.same((await store.get('long'))?.data, { a: 2 })
    })

    await touchTests(t, makeStore)
    await patchTests(t, makeStore)
    await indexTests(t, makeStore)
    await pluginTests(t, makeStore, options)
    await renewalTests(t, makeStore)
    if (options.outage !== undefined) await outageTests(t, makeStore, options.outage)
  })
}

async function touchTests (t: Test, makeStore: StoreFactory): Promise<void> {
  await t.test('touch refreshes the TTL and the last-seen time, and never creates a record', async (t) => {
    const store = await makeStore(t)
    if (store.touch === undefined) return t.pass('no touch: the plugin rewrites the record instead')
    const r = record({ a: 1 })
    await store.set('k', r, SHORT)
    await store.touch('k', DAY, r.lastSeenAt + 5000)
    await sleep(SHORT + 300)
    const back = await store.get('k')
    t.same(back?.data, { a: 1 }, 'still there after the original ttl')
    t.equal(back?.lastSeenAt, r.lastSeenAt + 5000)
    await store.touch('missing', DAY, Date.now())
    t.equal(await store.get('missing'), undefined)
  })
}

async function renewalTests (t: Test, makeStore: StoreFactory): Promise<void> {
  await t.test('replace writes only onto a live record that has not moved', async (t) => {
    const store = await makeStore(t)
    if (store.replace === undefined) return t.pass('no replace: the plugin reads, then writes')
    t.equal(await store.replace('missing', record({ a: 1 }), DAY), false, 'false for a missing record')
    t.equal(await store.get('missing'), undefined, 'and nothing is created')
    await store.set('k', record({ a: 1 }, { user: 'u1' }), DAY)
    const moved = record({ b: 2 }, { user: 'u1', links: ['n1'], movedTo: 'n1' })
    t.equal(await store.replace('k', moved, DAY), true)
    t.same(await store.get('k'), moved, 'the whole record, links and movedTo included')
    t.equal(await store.replace('k', record({ c: 3 }), DAY), 'n1', 'a record that moved answers where it went')
    t.same((await store.get('k'))?.data, { b: 2 }, 'and is left as it was')
    await store.set('short', record({ a: 1 }), SHORT)
    await sleep(SHORT + 300)
    t.equal(await store.replace('short', record({ a: 2 }), DAY), false, 'false for an expired record')
  })

  await t.test('take deletes and answers the links and movedTo, atomically', async (t) => {
    const store = await makeStore(t)
    if (store.take === undefined) return t.pass('no take: the plugin reads, then destroys')
    t.equal(await store.take('missing'), undefined)
    await store.set('plain', record({ a: 1 }), DAY)
    t.same(await store.take('plain'), [])
    t.equal(await store.get('plain'), undefined, 'gone')
    await store.set('k', record({ a: 1 }, { links: ['old1', 'old2'], movedTo: 'new' }), DAY)
    t.same((await store.take('k'))?.sort(), ['new', 'old1', 'old2'])
    t.equal(await store.take('k'), undefined, 'a second take finds nothing')
    await store.set('short', record({ a: 1 }, { links: ['x'] }), SHORT)
    await sleep(SHORT + 300)
    t.equal(await store.take('short'), undefined, 'an expired record was no session any more')
  })

  await t.test('patch answers false when gone, movedTo when moved; a forwarded patch keeps time and ttl', async (t) => {
    const store = await makeStore(t)
    if (store.patch === undefined) return t.pass('no patch')
    t.equal(await store.patch('missing', { set: { a: 1 }, unset: [], lastSeenAt: Date.now() }, DAY), false)
    const r = record({ a: 1 }, { movedTo: 'next' })
    await store.set('grace', r, DAY)
    t.equal(await store.patch('grace', { set: { b: 2 }, unset: [], lastSeenAt: r.lastSeenAt + 9 }, DAY), 'next')
    const plain = record({ a: 1 })
    await store.set('k', plain, SHORT)
    t.equal(await store.patch('k', { set: { b: 2 }, unset: ['a'], lastSeenAt: plain.lastSeenAt + 9, forwarded: true }, DAY), true)
    const back = await store.get('k')
    t.same(back?.data, { b: 2 })
    t.equal(back?.lastSeenAt, plain.lastSeenAt, 'the last-seen time is left alone')
    await sleep(SHORT + 300)
    t.equal(await store.get('k'), undefined, 'and so is the ttl')
  })
}

async function patchTests (t: Test, makeStore: StoreFactory): Promise<void> {
  await t.test('patch sets and unsets keys, keeps the others, and refreshes times', async (t) => {
    const store = await makeStore(t)
    if (store.patch === undefined) return t.pass('no patch: the plugin writes whole records')
    const r = record({ keep: 1, change: 'a', drop: true }, { user: 'u1' })
    await store.set('k', r, SHORT)
    await store.patch('k', { set: { change: 'b', added: [1] }, unset: ['drop'], lastSeenAt: r.lastSeenAt + 7 }, DAY)
    await sleep(SHORT + 300)
    const back = await store.get('k')
    t.same(back?.data, { keep: 1, change: 'b', added: [1] })
    t.equal(back?.lastSeenAt, r.lastSeenAt + 7)
    t.equal(back?.createdAt, r.createdAt)
    t.equal(back?.user, 'u1', 'the user is kept when the patch does not name one')
  })

  await t.test('patch changes or removes the user', async (t) => {
    const store = await makeStore(t)
    if (store.patch === undefined) return t.pass('no patch')
    await store.set('k', record({ userId: 'u1' }, { user: 'u1' }), DAY)
    await store.patch('k', { set: { userId: 'u2' }, unset: [], lastSeenAt: Date.now(), user: 'u2' }, DAY)
    t.equal((await store.get('k'))?.user, 'u2')
    await store.patch('k', { set: {}, unset: ['userId'], lastSeenAt: Date.now(), user: null }, DAY)
    const back = await store.get('k')
    t.same(back?.data, {})
    t.notOk(back !== undefined && 'user' in back)
  })

  await t.test('a patch on a missing (destroyed or expired) key does not bring it back', async (t) => {
    const store = await makeStore(t)
    if (store.patch === undefined) return t.pass('no patch')
    await store.set('k', record({ a: 1 }, { user: 'u1' }), DAY)
    await store.destroy('k')
    await store.patch('k', { set: { b: 2 }, unset: [], lastSeenAt: Date.now(), user: 'u2' }, DAY)
    await store.patch('never', { set: { b: 2 }, unset: [], lastSeenAt: Date.now() }, DAY)
    t.equal(await store.get('k'), undefined)
    t.equal(await store.get('never'), undefined)
    if (store.listUserSessions !== undefined) t.same(await store.listUserSessions('u2'), [])
  })

  await t.test('50 concurrent patches of different keys all land', async (t) => {
    const store = await makeStore(t)
    if (store.patch === undefined) return t.pass('no patch: concurrent writes to one session may overwrite each other')
    await store.set('k', record({}), DAY)
    const patch = store.patch.bind(store)
    await Promise.all(Array.from({ length: 50 }, async (_, i) =>
      await patch('k', { set: { [`key${i}`]: i }, unset: [], lastSeenAt: Date.now() }, DAY)))
    const data = (await store.get('k'))?.data ?? {}
    t.equal(Object.keys(data).length, 50)
    for (let i = 0; i < 50; i++) t.equal(data[`key${i}`], i)
  })
}

async function indexTests (t: Test, makeStore: StoreFactory): Promise<void> {
  await t.test('per-user index: list and revoke a user\'s sessions, and only that user\'s', async (t) => {
    const store = await makeStore(t)
    if (store.listUserSessions === undefined || store.revokeUser === undefined) {
      t.equal(store.revokeUser, undefined, 'a store without listUserSessions has no revokeUser either')
      return
    }
    const a = record({ userId: 'alice' }, { user: 'alice' })
    const b = record({ userId: 'alice' }, { user: 'alice', createdAt: a.createdAt - 5 })
    await store.set('a1', a, DAY)
    await store.set('a2', b, DAY)
    await store.set('b1', record({ userId: 'bob' }, { user: 'bob' }), DAY)
    await store.set('anon', record({ x: 1 }), DAY)
    const list = await store.listUserSessions('alice')
    t.same(list.map((s) => Object.keys(s).sort()), [['createdAt', 'lastSeenAt'], ['createdAt', 'lastSeenAt']], 'times only, no ids')
    t.same(list.map((s) => s.createdAt).sort(), [b.createdAt, a.createdAt])
    await store.destroy('a2')
    t.same(await store.listUserSessions('alice'), [{ createdAt: a.createdAt, lastSeenAt: a.lastSeenAt }], 'a destroyed session is not listed')
    await store.set('a3', record({ userId: 'alice' }, { user: 'alice' }), DAY)
    t.equal(await store.revokeUser('alice'), 2)
    t.equal(await store.get('a1'), undefined)
    t.equal(await store.get('a3'), undefined)
    t.same(await store.listUserSessions('alice'), [])
    t.equal(await store.revokeUser('alice'), 0)
    t.ok(await store.get('b1'), 'another user\'s session is untouched')
    t.ok(await store.get('anon'), 'an anonymous session is untouched')
    t.same(await store.listUserSessions('nobody'), [])
  })

  await t.test('per-user index follows a session that changes user', async (t) => {
    const store = await makeStore(t)
    if (store.listUserSessions === undefined || store.revokeUser === undefined) return t.pass('no per-user index')
    await store.set('k', record({ userId: 'alice' }, { user: 'alice' }), DAY)
    await store.set('k', record({ userId: 'bob' }, { user: 'bob' }), DAY)
    t.same(await store.listUserSessions('alice'), [], 'set: the old user no longer lists it')
    t.equal(await store.revokeUser('alice'), 0, 'and revoking the old user leaves it alone')
    t.equal((await store.listUserSessions('bob')).length, 1)
    if (store.patch !== undefined) {
      await store.patch('k', { set: { userId: 'carol' }, unset: [], lastSeenAt: Date.now(), user: 'carol' }, DAY)
      t.same(await store.listUserSessions('bob'), [], 'patch: the old user no longer lists it')
      t.equal((await store.listUserSessions('carol')).length, 1)
      await store.patch('k', { set: { other: 1 }, unset: [], lastSeenAt: Date.now() }, DAY)
      t.equal((await store.listUserSessions('carol')).length, 1, 'a patch that keeps the user keeps it indexed')
      await store.patch('k', { set: {}, unset: ['userId'], lastSeenAt: Date.now(), user: null }, DAY)
      t.same(await store.listUserSessions('carol'), [])
    }
    if (store.touch !== undefined) {
      await store.set('t', record({ userId: 'dave' }, { user: 'dave' }), SHORT)
      await store.touch('t', DAY, Date.now())
      await sleep(SHORT + 300)
      t.equal((await store.listUserSessions('dave')).length, 1, 'touch keeps the index alive as long as the session')
      t.equal(await store.revokeUser('dave'), 1)
    }
  })
}

async function pluginTests (t: Test, makeStore: StoreFactory, options: ConformanceOptions): Promise<void> {
  await t.test('through the plugin: the store only ever sees keyed hashes of ids', async (t) => {
    const store = await makeStore(t)
    const seen: string[] = []
    const spy = new Proxy(store, {
      get (target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown
        if (typeof value !== 'function') return value
        return (...args: unknown[]) => {
          seen.push(JSON.stringify(args))
          return (value as (...a: unknown[]) => unknown).apply(target, args)
        }
      }
    })
    const fastify = await app(t, spy, { ttl: 60, renewAfter: 1, renewGrace: 1 })
    const made = await fastify.inject({ method: 'POST', url: '/set/userId', payload: { v: 'alice' } })
    const cookie = pair(made)
    const id = cookie.slice('sid='.length)
    await sleep(1100)
    const renewed = await fastify.inject({ method: 'POST', url: '/set/x', payload: { v: 1 }, headers: { cookie } })
    const newId = pair(renewed).slice('sid='.length)
    t.not(newId, id, 'renewal gave a new id')
    await fastify.inject({ url: '/data', headers: { cookie: `sid=${newId}` } })
    t.ok(seen.length >= 3, 'the store was used')
    for (const raw of [id, newId]) t.notOk(seen.some((s) => s.includes(raw)), 'no id in any store call')
    if (options.dump !== undefined) {
      const dump = await options.dump()
      t.match(dump, /alice/, 'the dump holds the session data')
      for (const raw of [id, newId]) t.notOk(dump.includes(raw), 'no id in the backend')
    }
  })

  await t.test('through the plugin: 50 parallel requests setting different keys all land', async (t) => {
    const store = await makeStore(t)
    if (store.patch === undefined) return t.pass('no patch: only the last whole write survives')
    const fastify = await app(t, store)
    const cookie = pair(await fastify.inject({ method: 'POST', url: '/set/start', payload: { v: true } }))
    const results = await Promise.all(Array.from({ length: 50 }, async (_, i) =>
      await fastify.inject({ method: 'POST', url: `/set/key${i}`, payload: { v: i }, headers: { cookie } })))
    t.ok(results.every((r) => r.statusCode === 200))
    const data = (await fastify.inject({ url: '/data', headers: { cookie } })).json().data as Record<string, unknown>
    t.equal(data.start, true)
    for (let i = 0; i < 50; i++) t.equal(data[`key${i}`], i, `key${i}`)
  })

  await t.test('through the plugin: two requests writing the same key, the last write wins', async (t) => {
    const store = await makeStore(t)
    if (store.patch === undefined) return t.pass('no patch: the last whole record wins')
    const fastify = await app(t, store)
    const cookie = pair(await fastify.inject({ method: 'POST', url: '/set/start', payload: { v: true } }))
    const { loaded, release } = (fastify as unknown as { holdSlow: () => Held }).holdSlow()
    // The slow request loads first and writes last: its value wins, the fast one's other key stays.
    const slow = fastify.inject({ method: 'POST', url: '/slow', headers: { cookie } })
    await loaded
    await fastify.inject({ method: 'POST', url: '/set/same', payload: { v: 'fast' }, headers: { cookie } })
    await fastify.inject({ method: 'POST', url: '/set/other', payload: { v: 'fast' }, headers: { cookie } })
    release()
    t.equal((await slow).statusCode, 200)
    const data = (await fastify.inject({ url: '/data', headers: { cookie } })).json().data as Record<string, unknown>
    t.equal(data.same, 'slow')
    t.equal(data.other, 'fast')
  })
  await t.test('through the plugin: a logout during a slow request is not undone by its write', async (t) => {
    const store = await makeStore(t)
    if (store.patch === undefined) return t.pass('no patch: the slow request writes the whole record back')
    const fastify = await app(t, store)
    const cookie = pair(await fastify.inject({ method: 'POST', url: '/set/userId', payload: { v: 'alice' } }))
    const { loaded, release } = (fastify as unknown as { holdSlow: () => Held }).holdSlow()
    const slow = fastify.inject({ method: 'POST', url: '/slow', headers: { cookie } })
    await loaded
    await fastify.inject({ method: 'POST', url: '/logout', headers: { cookie } })
    release()
    t.equal((await slow).statusCode, 200)
    t.same((await fastify.inject({ url: '/data', headers: { cookie } })).json(), { data: {}, isNew: true })
  })
}

async function outageTests (t: Test, makeStore: StoreFactory, outage: NonNullable<ConformanceOptions['outage']>): Promise<void> {
  await t.test('outage: fail closed with 503, or anonymous when asked, and recover without a restart', async (t) => {
    const store = await makeStore(t)
    const failing = await app(t, store)
    const lenient = await app(t, store, { onStoreError: 'anonymous' })
    const cookie = pair(await failing.inject({ method: 'POST', url: '/set/userId', payload: { v: 'alice' } }))
    await outage.stop()
    let restarted = false
    t.teardown(async () => { if (!restarted) await outage.start() })

    const load = await failing.inject({ url: '/data', headers: { cookie } })
    t.equal(load.statusCode, 503)
    t.equal(load.json().code, 'FST_SESSION_STORE_UNAVAILABLE')
    const write = await failing.inject({ method: 'POST', url: '/set/a', payload: { v: 1 } })
    t.equal(write.statusCode, 503, 'a failed write in onSend')
    t.equal(write.json().code, 'FST_SESSION_STORE_UNAVAILABLE')
    t.equal(write.headers['set-cookie'], undefined, 'no cookie for a session that was not saved')
    const anonymous = await lenient.inject({ url: '/data', headers: { cookie } })
    t.equal(anonymous.statusCode, 200)
    t.same(anonymous.json(), { data: {}, isNew: true })

    await outage.start()
    restarted = true
    let back: LightMyRequestResponse | undefined
    // The client reconnects on its own schedule; give it a few seconds.
    for (let i = 0; i < 50; i++) {
      back = await failing.inject({ method: 'POST', url: '/set/b', payload: { v: 2 } })
      if (back.statusCode === 200) break
      await sleep(100)
    }
    t.equal(back?.statusCode, 200, 'works again after the store came back')
    const again = await failing.inject({ url: '/data', headers: { cookie: pair(back as LightMyRequestResponse) } })
    t.same(again.json(), { data: { b: 2 }, isNew: false })
  })
}
