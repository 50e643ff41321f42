import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { MemoryStore } from '../../lib/index.js'
import { build, cookiePair, fakeClock, loose } from '../helpers/index.js'

function routes (app: FastifyInstance): void {
  app.get('/seed', async (request) => {
    loose(request).set('n', 1)
    loose(request).set('o', { a: 1 })
    return { isNew: request.session.isNew, changed: request.session.changed }
  })
  app.get('/probe', async (request) => {
    const s = loose(request)
    const steps: Record<string, unknown> = { start: { isNew: request.session.isNew, changed: request.session.changed } }
    s.set('n', 1)
    steps.sameValue = request.session.changed
    s.get('o')
    steps.readObject = request.session.changed
    s.set('n', 2)
    steps.newValue = request.session.changed
    s.set('n', 1)
    steps.backToLoaded = request.session.changed
    return steps
  })
  app.get('/touch', async (request) => {
    const before = request.session.changed
    request.session.touch()
    return { before, after: request.session.changed }
  })
  app.get('/fresh', async (request) => {
    const before = { isNew: request.session.isNew, changed: request.session.changed }
    loose(request).set('x', 1)
    return { before, after: { isNew: request.session.isNew, changed: request.session.changed } }
  })
  app.get('/fresh-unset', async (request) => {
    loose(request).set('x', 1)
    loose(request).delete('x')
    return { changed: request.session.changed }
  })
}

t.test('isNew: true without a usable cookie, false with one', async (t) => {
  const app = await build(t, {}, routes)
  const seed = await app.inject('/seed')
  t.same(seed.json(), { isNew: true, changed: true })
  const probe = await app.inject({ url: '/probe', headers: { cookie: cookiePair(seed) } })
  t.same(probe.json().start, { isNew: false, changed: false })
  const bad = await app.inject({ url: '/fresh', headers: { cookie: 'sid=garbage' } })
  t.same(bad.json().before, { isNew: true, changed: false })
})

t.test('changed compares the data with what was loaded, not the calls made', async (t) => {
  const app = await build(t, {}, routes)
  const seed = await app.inject('/seed')
  const probe = await app.inject({ url: '/probe', headers: { cookie: cookiePair(seed) } })
  t.same(probe.json(), {
    start: { isNew: false, changed: false },
    sameValue: false,
    readObject: false,
    newValue: true,
    backToLoaded: false
  })
})

t.test('changed on a new session: false until written, false again when the write is undone', async (t) => {
  const app = await build(t, {}, routes)
  const fresh = await app.inject('/fresh')
  t.same(fresh.json(), { before: { isNew: true, changed: false }, after: { isNew: true, changed: true } })
  const undone = await app.inject('/fresh-unset')
  t.same(undone.json(), { changed: false })
})

t.test('touch() and a due refresh make changed true', async (t) => {
  const clock = fakeClock(t)
  const app = await build(t, { ttl: 1000 }, routes)
  const seed = await app.inject('/seed')
  const early = await app.inject({ url: '/touch', headers: { cookie: cookiePair(seed) } })
  t.same(early.json(), { before: false, after: true })
  clock.tick(100_000)
  const due = await app.inject({ url: '/touch', headers: { cookie: cookiePair(seed) } })
  t.same(due.json(), { before: true, after: true }, 'a rolling refresh is a change')
})

// What `changed` says is what the response does: each case checks it against the Set-Cookie sent (on
// the cookie store every write is one; on MemoryStore a renewal is).
t.test('changed says whether this response writes: a renewal due, saveUninitialized, options() with nothing to send', async (t) => {
  const probes = (app: FastifyInstance): void => {
    routes(app)
    app.get('/changed', async (request) => ({ changed: request.session.changed }))
    app.get('/options', async (request) => {
      request.session.options({ maxAge: 100 })
      return { changed: request.session.changed }
    })
  }
  const sends = (res: { headers: Record<string, unknown> }): boolean => res.headers['set-cookie'] !== undefined
  const clock = fakeClock(t)
  const memory = new MemoryStore()
  t.teardown(() => memory.close())
  for (const [name, store] of [['cookie store', undefined], ['MemoryStore', memory]] as const) {
    const renewing = await build(t, { renewAfter: 60, ...(store === undefined ? {} : { store }) }, probes)
    const seed = cookiePair(await renewing.inject('/seed'))
    const early = await renewing.inject({ url: '/changed', headers: { cookie: seed } })
    t.same([early.json().changed, sends(early)], [false, false], `${name}: nothing due, nothing written`)
    clock.tick(61_000)
    const due = await renewing.inject({ url: '/changed', headers: { cookie: seed } })
    t.same([due.json().changed, sends(due)], [true, true], `${name}: a renewal due is a write`)
    t.not(cookiePair(due), seed, `${name}: under a new id`)
  }
  const uninitialized = await build(t, { saveUninitialized: true }, probes)
  const saved = await uninitialized.inject('/changed')
  t.same([saved.json().changed, sends(saved)], [true, true], 'saveUninitialized: a new empty session is written')
  const plain = await build(t, {}, probes)
  const empty = await plain.inject('/options')
  t.same([empty.json().changed, sends(empty)], [false, false], 'options() on a new session with no data: nothing to send')
  const seeded = cookiePair(await plain.inject('/seed'))
  const loaded = await plain.inject({ url: '/options', headers: { cookie: seeded } })
  t.same([loaded.json().changed, sends(loaded)], [true, true], 'options() on a stored session sends its cookie')
})
