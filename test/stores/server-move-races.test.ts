// The moves of the server driver against a session that ends in the middle of them: a renewal or a
// key-rotation move writes the new record, and the old one is gone by the time it looks again (a
// logout or revokeUser that ran between the two store calls). The new record is ended too and the
// request goes on anonymous. A MemoryStore whose set() lets a test act at that exact point stands in
// for the other request; the full interleavings run on real stores in test/concurrency/model.test.ts.
import t from 'tap'
import { MemoryStore, type SessionRecord, type SessionStore } from '../../lib/index.js'
import { build, cookiePair, fakeClock, loose, OTHER_SECRET, SECRET } from '../helpers/index.js'
import type { FastifyInstance } from 'fastify'

/** A MemoryStore that runs `between` once, right after the next set() of a new record. */
class RacingStore extends MemoryStore {
  between: ((moved: string) => Promise<void>) | undefined
  lastMarked = ''
  override async replace (key: string, record: SessionRecord, ttlMs: number): Promise<boolean | string> {
    this.lastMarked = key
    return await super.replace(key, record, ttlMs)
  }

  override async set (key: string, record: SessionRecord, ttlMs: number): Promise<void> {
    await super.set(key, record, ttlMs)
    const between = this.between
    this.between = undefined
    if (between !== undefined) await between(this.lastMarked)
  }
}

function routes (app: FastifyInstance): void {
  app.get('/login', async (request) => {
    loose(request).set('userId', 'alice')
    return { ok: true }
  })
  app.get('/me', async (request) => ({ user: loose(request).get('userId') ?? null }))
}

t.test('a renewal whose old record ends between its two writes ends the new one too', async (t) => {
  const clock = fakeClock(t)
  const store = new RacingStore()
  t.teardown(() => store.close())
  const app = await build(t, { store, renewAfter: 60 }, routes)
  const cookie = cookiePair(await app.inject('/login')) as string
  clock.tick(61_000)
  store.between = async (marked) => { await store.destroy(marked) }
  const res = await app.inject({ url: '/me', headers: { cookie } })
  t.same(res.json(), { user: 'alice' }, 'the request itself read its session')
  t.match(res.headers['set-cookie'], /^sid=;/, 'and clears the cookie')
  t.equal(store.size, 0, 'neither record is left')
  t.same((await app.inject({ url: '/me', headers: { cookie } })).json(), { user: null })
})

t.test('a key-rotation move whose old record ends between its two writes ends the new one too', async (t) => {
  const store = new RacingStore()
  t.teardown(() => store.close())
  const before = await build(t, { store, secret: OTHER_SECRET }, routes)
  const cookie = cookiePair(await before.inject('/login')) as string
  const app = await build(t, { store, secret: [SECRET, OTHER_SECRET] }, routes)
  store.between = async (marked) => { await store.destroy(marked) }
  const res = await app.inject({ url: '/me', headers: { cookie } })
  t.match(res.headers['set-cookie'], /^sid=;/, 'the cookie is cleared')
  t.equal(store.size, 0, 'neither record is left')
  t.same((await app.inject({ url: '/me', headers: { cookie } })).json(), { user: null })
})

t.test('a logout follows links, and at most 16 records', async (t) => {
  // A record linked to 20 others (no real session gets there: each link is a renewal within a grace).
  const taken: string[] = []
  const records = new Map<string, SessionRecord>()
  const store: SessionStore = {
    async get (key) { return records.get(key) },
    async set (key, record) { records.set(key, record) },
    async destroy (key) { records.delete(key) },
    async take (key) {
      taken.push(key)
      const r = records.get(key)
      records.delete(key)
      return r === undefined ? undefined : [...(r.links ?? [])]
    }
  }
  const app = await build(t, { store }, (app) => {
    routes(app)
    app.get('/logout', async (request) => {
      await request.session.destroy()
      return { ok: true }
    })
  })
  const cookie = cookiePair(await app.inject('/login')) as string
  const [key, record] = [...records][0] as [string, SessionRecord]
  record.links = Array.from({ length: 20 }, (_, i) => `linked-${i}`)
  for (const link of record.links) records.set(link, { data: {}, createdAt: Date.now(), lastSeenAt: Date.now(), links: [key] })
  await app.inject({ url: '/logout', headers: { cookie } })
  t.equal(taken[0], key, 'the session\'s own record first')
  t.equal(taken.length, 16, 'then its links, up to the bound')
  t.equal(new Set(taken).size, 16, 'each once')
})

/** A MemoryStore seen through the three required methods and patch/touch only: the driver's fallbacks for replace and take. */
function withoutAtomicMoves (inner: MemoryStore): SessionStore {
  return {
    get: async (key) => await inner.get(key),
    set: async (key, record, ttl) => await inner.set(key, record, ttl),
    destroy: async (key) => await inner.destroy(key),
    patch: async (key, changes, ttl) => await inner.patch(key, changes, ttl),
    touch: async (key, ttl, seen) => await inner.touch(key, ttl, seen)
  }
}

t.test('a store without replace and take: a renewal reads, then writes, and a logout reads, then deletes', async (t) => {
  const clock = fakeClock(t)
  const inner = new MemoryStore()
  t.teardown(() => inner.close())
  let release: () => void = () => {}
  let entered: () => void = () => {}
  const app = await build(t, { store: withoutAtomicMoves(inner), renewAfter: 60 }, (app) => {
    routes(app)
    app.get('/slow', async (request) => {
      loose(request).set('slow', true)
      entered()
      await new Promise<void>((resolve) => { release = resolve })
      return { ok: true }
    })
    app.get('/logout', async (request) => {
      await request.session.destroy()
      return { ok: true }
    })
  })
  const slowly = async (cookie: string, between: () => Promise<unknown>): Promise<void> => {
    const inside = new Promise<void>((resolve) => { entered = resolve })
    const slow = app.inject({ url: '/slow', headers: { cookie } })
    await inside
    await between()
    release()
    await slow
  }

  // Ended while a renewal was due: the renewal finds nothing to write over.
  const first = cookiePair(await app.inject('/login')) as string
  clock.tick(61_000)
  await slowly(first, async () => await app.inject({ url: '/logout', headers: { cookie: first } }))
  t.same((await app.inject({ url: '/me', headers: { cookie: first } })).json(), { user: null }, 'a logout during a renewal stays')
  t.equal(inner.size, 0)

  // Renewed by another request first: the slow one keeps the old id and sends no cookie.
  const second = cookiePair(await app.inject('/login')) as string
  clock.tick(61_000)
  let renewed = ''
  await slowly(second, async () => { renewed = cookiePair(await app.inject({ url: '/me', headers: { cookie: second } })) as string })
  t.not(renewed, second, 'the other request renewed it')
  t.same((await app.inject({ url: '/me', headers: { cookie: renewed } })).json(), { user: 'alice' })

  // A logout through the renewed id reads its links and ends the old id's copy too.
  await app.inject({ url: '/logout', headers: { cookie: renewed } })
  t.same((await app.inject({ url: '/me', headers: { cookie: second } })).json(), { user: null }, 'the old id is ended with it')
  t.equal(inner.size, 0, 'no record left')

  // A link to an id whose grace is over: nothing left to end there.
  const third = cookiePair(await app.inject('/login')) as string
  clock.tick(61_000)
  const newest = cookiePair(await app.inject({ url: '/me', headers: { cookie: third } })) as string
  clock.tick(31_000)
  await app.inject({ url: '/logout', headers: { cookie: newest } })
  t.same((await app.inject({ url: '/me', headers: { cookie: newest } })).json(), { user: null })
  t.equal(inner.size, 0)
})

t.test('a session renewed twice carries its link to the older id into the newer record', async (t) => {
  const clock = fakeClock(t)
  const store = new MemoryStore()
  t.teardown(() => store.close())
  const app = await build(t, { store, renewAfter: 60, renewGrace: 300 }, routes)
  const first = cookiePair(await app.inject('/login')) as string
  clock.tick(61_000)
  const second = cookiePair(await app.inject({ url: '/me', headers: { cookie: first } })) as string
  clock.tick(61_000)
  const third = cookiePair(await app.inject({ url: '/me', headers: { cookie: second } })) as string
  t.ok(second !== first && third !== second, 'two new ids')
  for (const cookie of [first, second, third]) t.same((await app.inject({ url: '/me', headers: { cookie } })).json(), { user: 'alice' })
})
