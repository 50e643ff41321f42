import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { MemoryStore, PostgresStore, RedisStore, type SessionRecord, type SessionStore } from '../../lib/index.js'
import type { SessionState } from '../../lib/session.js'
import { kState } from '../../lib/symbols.js'
import { build, cookiePair, loose } from '../helpers/index.js'
import { connectRedis } from '../helpers/redis-clients.js'
import { redisSkip, startRedis } from '../helpers/redis-server.js'
import { postgresSkip, startPostgres, testPool } from '../helpers/postgres-server.js'

// A server store's write serialises again only the keys a request set, deleted or was handed (an
// object from get()); the others keep the JSON they were loaded with. Every way a key can change
// must still reach the store, and a request that changes nothing must write nothing, on every store
// (the MemoryStore also hands the driver the JSON it loaded from, unless a key starts with a digit).

interface Profile { name: string, tags: string[] }
type Data = Record<string, unknown>

/** A store whose writes are recorded (method and what it wrote), every call going through. */
function recorded (store: SessionStore): { store: SessionStore, writes: string[] } {
  const writes: string[] = []
  const wrapped: SessionStore = {
    get: async (key) => await store.get(key),
    set: async (key, record, ttl) => { writes.push(`set ${JSON.stringify(record.data)}`); await store.set(key, record, ttl) },
    destroy: async (key) => { writes.push('destroy'); await store.destroy(key) },
    patch: async (key, changes, ttl) => {
      writes.push(`patch ${JSON.stringify(changes.set)} ${JSON.stringify(changes.unset)}`)
      await (store.patch as NonNullable<SessionStore['patch']>).call(store, key, changes, ttl)
    },
    touch: async (key, ttl, seen) => { writes.push('touch'); await (store.touch as NonNullable<SessionStore['touch']>).call(store, key, ttl, seen) }
  }
  return { store: wrapped, writes }
}

/** Called when a request reaches the wait in /slow-bump; `release` lets it go on. */
let reached = (): void => {}
let release = (): void => {}

function routes (app: FastifyInstance): void {
  const s = (request: Parameters<typeof loose>[0]): ReturnType<typeof loose> => loose(request)
  app.get('/seed', async (request) => {
    s(request).set('profile', { name: 'ann', tags: ['a'] })
    s(request).set('counter', 0)
    s(request).set('notes', ['n1'])
    return { ok: true }
  })
  app.get('/add-digits', async (request) => {
    s(request).set('42', 'x')
    s(request).set('1st', { n: 1 })
    return { ok: true }
  })
  app.get('/slow-bump', async (request) => {
    const counter = s(request).get('counter') as number
    // Handed out but left as loaded: not a change of this request's, whatever another wrote since.
    s(request).get('notes')
    const wait = new Promise((resolve) => { release = () => resolve(undefined) })
    reached()
    await wait
    s(request).set('counter', counter + 1)
    return { ok: true }
  })
  app.get('/add-note', async (request) => {
    (s(request).get('notes') as string[]).push('concurrent')
    return { ok: true }
  })
  app.get('/data', async (request) => request.session.data())
  app.get('/bump', async (request) => {
    s(request).set('counter', (s(request).get('counter') as number) + 1)
    return { ok: true }
  })
  app.get('/read-objects', async (request) => {
    for (const key of ['profile', 'notes', '1st', 'profile']) s(request).get(key)
    return { changed: request.session.changed }
  })
  app.get('/mutate-after-get', async (request) => {
    ;(s(request).get('profile') as Profile).tags.push('got')
    return { changed: request.session.changed }
  })
  app.get('/mutate-after-set', async (request) => {
    const profile: Profile = { name: 'bob', tags: [] }
    s(request).set('profile', profile)
    profile.tags.push('set')
    return { ok: true }
  })
  app.get('/mutate-through-data', async (request) => {
    ;((request.session.data() as Data).profile as Profile).tags.push('copy')
    return { ok: true }
  })
  app.get('/mutate-one-of-several', async (request) => {
    s(request).get('profile')
    const notes = s(request).get('notes') as string[]
    s(request).get('notes')
    s(request).get('profile')
    notes.push('n2')
    return { ok: true }
  })
  app.get('/many-reads', async (request) => {
    // Far more keys read than a request lists: past that, every key counts as changed.
    const notes = s(request).get('notes') as string[]
    for (let i = 0; i < 100; i++) s(request).get(i % 2 === 0 ? 'profile' : 'notes')
    notes.push('late')
    ;(s(request).get('profile') as Profile).tags.push('late')
    const listed = ((request.session as unknown as Record<symbol, unknown>)[kState] as SessionState).changedKeys
    return { changed: request.session.changed, listed: listed?.length ?? 'every key' }
  })
  app.get('/mutate-digit-key', async (request) => {
    ;(s(request).get('1st') as { n: number }).n = 2
    return { ok: true }
  })
  app.get('/delete', async (request) => ({ deleted: s(request).delete('notes') }))
  app.get('/clear-then-set', async (request) => {
    request.session.clear()
    s(request).set('only', 1)
    return { ok: true }
  })
  app.get('/save-then-mutate', async (request) => {
    s(request).set('counter', 100)
    await request.session.save()
    ;(s(request).get('profile') as Profile).name = 'saved-then-changed'
    return { ok: true }
  })
}

type MakeStore = (t: Test) => Promise<SessionStore>

const STORES: Array<[string, MakeStore, string | false]> = [
  ['MemoryStore', async (t) => {
    const store = new MemoryStore()
    t.teardown(() => store.close())
    return store
  }, false],
  ['RedisStore', async (t) => new RedisStore({ client: await connectRedis(t, (await startRedis(t)).port) }), redisSkip()],
  ['PostgresStore', async (t) => {
    const store = new PostgresStore({ pool: testPool(t, await startPostgres(t)), sweepIntervalMs: false })
    await store.createSchema()
    return store
  }, postgresSkip()]
]

for (const [name, makeStore, skip] of STORES) {
  t.test(name, { skip }, async (t) => {
    const { store, writes } = recorded(await makeStore(t))
    const app = await build(t, { store }, routes)
    /** A new session seeded by `seed`: its cookie, and a reader of its stored data. */
    const session = async (): Promise<{ get: (url: string) => Promise<Data>, data: () => Promise<Data> }> => {
      const cookie = cookiePair(await app.inject('/seed')) as string
      const get = async (url: string): Promise<Data> => (await app.inject({ url, headers: { cookie } })).json()
      return { get, data: async () => await get('/data') }
    }
    const seeded = { profile: { name: 'ann', tags: ['a'] }, counter: 0, notes: ['n1'] }

    await t.test('a write of one key sends that key alone', async (t) => {
      const s = await session()
      writes.length = 0
      await s.get('/bump')
      t.same(writes, ['patch {"counter":1} []'])
      t.same(await s.data(), { ...seeded, counter: 1 })
    })

    await t.test('objects read with get() and left alone: unchanged, nothing written', async (t) => {
      const s = await session()
      writes.length = 0
      t.same(await s.get('/read-objects'), { changed: false })
      t.same(writes, [])
    })

    await t.test('an object from get() changed in place is written', async (t) => {
      const s = await session()
      t.same(await s.get('/mutate-after-get'), { changed: true })
      t.same(await s.data(), { ...seeded, profile: { name: 'ann', tags: ['a', 'got'] } })
    })

    await t.test('an object changed in place after set() is written as it is at the end', async (t) => {
      const s = await session()
      await s.get('/mutate-after-set')
      t.same(await s.data(), { ...seeded, profile: { name: 'bob', tags: ['set'] } })
    })

    await t.test('a nested object reached through data() and changed is written', async (t) => {
      const s = await session()
      await s.get('/mutate-through-data')
      t.same(await s.data(), { ...seeded, profile: { name: 'ann', tags: ['a', 'copy'] } })
    })

    await t.test('the object changed is found among several read, some more than once', async (t) => {
      const s = await session()
      writes.length = 0
      await s.get('/mutate-one-of-several')
      t.same(writes, ['patch {"notes":["n1","n2"]} []'])
      t.same(await s.data(), { ...seeded, notes: ['n1', 'n2'] })
    })

    await t.test('past the listed keys, every key counts as changed: all changes are written', async (t) => {
      const s = await session()
      t.same(await s.get('/many-reads'), { changed: true, listed: 'every key' }, 'the list did not grow past its bound')
      t.same(await s.data(), { ...seeded, profile: { name: 'ann', tags: ['a', 'late'] }, notes: ['n1', 'late'] })
    })

    await t.test('a delete is written, the other keys kept', async (t) => {
      const s = await session()
      t.same(await s.get('/delete'), { deleted: true })
      t.same(await s.data(), { profile: seeded.profile, counter: 0 })
    })

    await t.test('clear() then set(): only the new key is left', async (t) => {
      const s = await session()
      await s.get('/clear-then-set')
      t.same(await s.data(), { only: 1 })
    })

    await t.test('after save(), an object read again and changed is written at the end', async (t) => {
      const s = await session()
      await s.get('/save-then-mutate')
      t.same(await s.data(), { ...seeded, counter: 100, profile: { name: 'saved-then-changed', tags: ['a'] } })
    })

    await t.test('a request diffs against the data it loaded, not against what another wrote since', async (t) => {
      const s = await session()
      const arrived = new Promise((resolve) => { reached = () => resolve(undefined) })
      const slow = s.get('/slow-bump')
      await arrived
      await s.get('/add-note')
      release()
      await slow
      t.same(await s.data(), { ...seeded, counter: 1, notes: ['n1', 'concurrent'] }, 'both requests\' changes are kept')
    })

    await t.test('keys that start with a digit, which an object lists first', async (t) => {
      const s = await session()
      await s.get('/add-digits')
      writes.length = 0
      t.same(await s.get('/read-objects'), { changed: false })
      t.same(writes, [], 'read and left alone: nothing written')
      await s.get('/mutate-digit-key')
      t.same(writes, ['patch {"1st":{"n":2}} []'])
      t.same(await s.data(), { ...seeded, 42: 'x', '1st': { n: 2 } })
    })
  })
}

t.test('MemoryStore under a wrapper or subclass that overrides get()', async (t) => {
  const seed = { profile: { name: 'ann', tags: ['a'] }, counter: 0, notes: ['n1'] }
  const reshapes: Array<[string, (data: Data) => void]> = [
    ['adds a key', (data) => { data.decorated = true }],
    ['removes a key', (data) => { delete data.notes }],
    ['renames a key', (data) => { data.renamed = data.notes; delete data.notes }]
  ]
  /** Seeds a session through a wrapper whose get() runs `onRead` on each record, bumps it, and answers what the MemoryStore holds. */
  async function bumpThrough (t: Test, onRead: (record: SessionRecord) => void): Promise<unknown> {
    const inner = new MemoryStore()
    t.teardown(() => inner.close())
    let key = ''
    const store: SessionStore = {
      get: async (k) => {
        const record = await inner.get(k)
        if (record !== undefined) onRead(record)
        return record
      },
      set: async (k, record, ttl) => { key = k; await inner.set(k, record, ttl) },
      destroy: async (k) => await inner.destroy(k),
      patch: async (k, changes, ttl) => await inner.patch(k, changes, ttl)
    }
    const app = await build(t, { store }, routes)
    const cookie = cookiePair(await app.inject('/seed')) as string
    await app.inject({ url: '/bump', headers: { cookie } })
    return (await inner.get(key))?.data
  }

  for (const [what, reshape] of reshapes) {
    await t.test(`a wrapper that ${what} on read: what it reshaped is not written back by a write of another key`, async (t) => {
      t.same(await bumpThrough(t, (record) => reshape(record.data)), { ...seed, counter: 1 })
    })
  }

  await t.test('a wrapper that replaces the data object on read: its view is what the write is diffed against', async (t) => {
    t.same(await bumpThrough(t, (record) => { record.data = { ...record.data, counter: 5 } }), { ...seed, counter: 6 })
  })

  await t.test('a subclass\'s get() is the one called, and writes stay right', async (t) => {
    class Counting extends MemoryStore {
      reads = 0
      override async get (key: string): ReturnType<MemoryStore['get']> {
        this.reads++
        return await super.get(key)
      }
    }
    const store = new Counting()
    t.teardown(() => store.close())
    const app = await build(t, { store }, routes)
    const cookie = cookiePair(await app.inject('/seed')) as string
    await app.inject({ url: '/bump', headers: { cookie } })
    await app.inject({ url: '/mutate-after-get', headers: { cookie } })
    t.same((await app.inject({ url: '/data', headers: { cookie } })).json(), { ...seed, counter: 1, profile: { name: 'ann', tags: ['a', 'got'] } })
    t.equal(store.reads, 3)
  })
})
