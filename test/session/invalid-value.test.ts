import t from 'tap'
import { build, cookiePair, loose } from '../helpers/index.js'

function nest (levels: number): unknown {
  let v: unknown = 'leaf'
  for (let i = 0; i < levels; i++) v = i % 2 === 0 ? { v } : [v]
  return v
}

const cycle: Record<string, unknown> = { a: 1 }
cycle.self = cycle
const arrayCycle: unknown[] = [1]
arrayCycle.push([arrayCycle])
class Point { x = 1 }

const refused: Record<string, () => unknown> = {
  function: () => () => 1,
  symbol: () => Symbol('s'),
  bigint: () => 10n,
  cycle: () => cycle,
  'cycle through an array': () => arrayCycle,
  NaN: () => Number.NaN,
  Infinity: () => Infinity,
  '-Infinity': () => -Infinity,
  Date: () => new Date(0),
  Map: () => new Map([[1, 2]]),
  Set: () => new Set([1]),
  'class instance': () => new Point(),
  'undefined array slot': () => [1, undefined, 3],
  'sparse array hole': () => [1, , 3], // eslint-disable-line no-sparse-arrays
  'nested function': () => ({ a: { b: [() => 1] } }),
  'nested NaN': () => ({ list: [1, 2, Number.NaN] }),
  'too deep': () => nest(70)
}

const accepted: Record<string, () => unknown> = {
  'deep but within the limit': () => nest(60),
  'object with an undefined property': () => ({ a: 1, b: undefined }),
  'null-prototype object': () => Object.assign(Object.create(null), { a: 1 }),
  'the same object twice (not a cycle)': () => { const o = { x: 1 }; return { a: o, b: o, c: [o, o] } },
  'unicode string': () => 'héllo ☃ \u2028'
}

t.test('values JSON cannot represent faithfully are refused with FST_SESSION_INVALID_VALUE', async (t) => {
  const app = await build(t, {}, (app) => {
    app.get('/try/:name', async (request) => {
      const name = decodeURIComponent((request.params as { name: string }).name)
      const make = refused[name] ?? accepted[name]
      try {
        loose(request).set('k', (make as () => unknown)())
        return { code: null, has: loose(request).has('k') }
      } catch (err) {
        return { code: (err as { code: string }).code, has: loose(request).has('k') }
      }
    })
    app.get('/proto', async (request) => {
      try {
        loose(request).set('__proto__', { polluted: true })
        return { code: null }
      } catch (err) {
        return { code: (err as { code: string }).code, polluted: ({} as Record<string, unknown>).polluted ?? null, data: request.session.data() }
      }
    })
    app.get('/read', async (request) => request.session.data())
  })
  for (const name of Object.keys(refused)) {
    const res = await app.inject(`/try/${encodeURIComponent(name)}`)
    t.same(res.json(), { code: 'FST_SESSION_INVALID_VALUE', has: false }, `${name}: refused, nothing stored`)
  }
  for (const name of Object.keys(accepted)) {
    const res = await app.inject(`/try/${encodeURIComponent(name)}`)
    t.same(res.json(), { code: null, has: true }, `${name}: accepted`)
  }
  const proto = await app.inject('/proto')
  t.same(proto.json(), { code: 'FST_SESSION_INVALID_VALUE', polluted: null, data: {} }, '__proto__ key refused')
})

t.test('an accepted value reads back exactly as set', async (t) => {
  const value = { a: [1, 'two', { three: [true, null] }], b: nest(60) }
  const app = await build(t, {}, (app) => {
    app.get('/set', async (request) => { loose(request).set('k', value); return { ok: true } })
    app.get('/get', async (request) => loose(request).get('k') as object)
  })
  const set = await app.inject('/set')
  const got = await app.inject({ url: '/get', headers: { cookie: cookiePair(set) } })
  t.strictSame(got.json(), value)
})

t.test('a refused value thrown from a handler becomes a 500 with the code, not a crash', async (t) => {
  const app = await build(t, {}, (app) => {
    app.get('/bad', async (request) => { loose(request).set('k', 1n); return { ok: true } })
  })
  const res = await app.inject('/bad')
  t.equal(res.statusCode, 500)
  t.equal(res.json().code, 'FST_SESSION_INVALID_VALUE')
})
