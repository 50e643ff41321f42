import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, cookiePair, loose, setCookies } from '../helpers/index.js'

function routes (app: FastifyInstance): void {
  app.get('/seed', async (request) => {
    const s = loose(request)
    s.set('a', 1)
    s.set('b', 'two')
    s.set('c', { deep: true })
    return { ok: true }
  })
  app.get('/ops', async (request) => {
    const s = loose(request)
    const out: Record<string, unknown> = {}
    out.hasA = s.has('a')
    out.hasMissing = s.has('missing')
    out.hasToString = s.has('toString')
    out.getToString = s.get('toString') ?? null
    out.deleteA = s.delete('a')
    out.deleteAgain = s.delete('a')
    out.deleteMissing = s.delete('missing')
    s.set('b', undefined)
    out.hasBAfterUndefined = s.has('b')
    out.getB = s.get('b') ?? null
    const copy = request.session.data() as Record<string, unknown>
    copy.injected = 'no'
    out.hasInjected = s.has('injected')
    out.data = request.session.data()
    return out
  })
  app.get('/clear', async (request) => {
    request.session.clear()
    return { data: request.session.data(), isNew: request.session.isNew, changed: request.session.changed }
  })
  app.get('/delete-missing', async (request) => ({ deleted: loose(request).delete('nope') }))
  app.get('/set-undefined-missing', async (request) => {
    loose(request).set('nope', undefined)
    return { has: loose(request).has('nope') }
  })
  app.get('/data', async (request) => request.session.data())
}

t.test('has, delete, set(k, undefined) and data() behave as on a Map', async (t) => {
  const app = await build(t, {}, routes)
  const seed = await app.inject('/seed')
  const res = await app.inject({ url: '/ops', headers: { cookie: cookiePair(seed) } })
  t.same(res.json(), {
    hasA: true,
    hasMissing: false,
    hasToString: false,
    getToString: null,
    deleteA: true,
    deleteAgain: false,
    deleteMissing: false,
    hasBAfterUndefined: false,
    getB: null,
    hasInjected: false,
    data: { c: { deep: true } }
  })
  const after = await app.inject({ url: '/data', headers: { cookie: cookiePair(res) } })
  t.same(after.json(), { c: { deep: true } }, 'the deletions were persisted')
})

t.test('clear() empties the data of a live session and persists the empty data', async (t) => {
  const app = await build(t, {}, routes)
  const seed = await app.inject('/seed')
  const res = await app.inject({ url: '/clear', headers: { cookie: cookiePair(seed) } })
  t.same(res.json(), { data: {}, isNew: false, changed: true })
  t.equal(setCookies(res).length, 1)
  const after = await app.inject({ url: '/data', headers: { cookie: cookiePair(res) } })
  t.same(after.json(), {})
})

t.test('deleting what is not there changes nothing and sends no cookie', async (t) => {
  const app = await build(t, {}, routes)
  const seed = await app.inject('/seed')
  const del = await app.inject({ url: '/delete-missing', headers: { cookie: cookiePair(seed) } })
  t.same(del.json(), { deleted: false })
  t.same(setCookies(del), [])
  const undef = await app.inject({ url: '/set-undefined-missing', headers: { cookie: cookiePair(seed) } })
  t.same(undef.json(), { has: false })
  t.same(setCookies(undef), [])
})
