// Data shared between the requests of one session (lib/shared-data.ts): the frozen copy a cache holds
// never reaches application code, a handed-out object is copied for its request, and the comparison
// that replaces serialising it again never calls a changed value unchanged.
import t from 'tap'
import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import { freezeJson, jsonEqual, setKey, thawJson } from '../../lib/shared-data.js'
import { MemoryStore } from '../../lib/index.js'
import { build, cookiePair, loose, setCookies } from '../helpers/index.js'

function deeplyFrozen (value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true
  return Object.isFrozen(value) && Object.values(value).every(deeplyFrozen)
}

function nothingFrozen (value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true
  return !Object.isFrozen(value) && Object.values(value).every(nothingFrozen)
}

t.test('freezeJson freezes every level; thawJson copies every level, mutable', async (t) => {
  const frozen = freezeJson(JSON.parse('{"a":{"b":[1,{"c":"d"}]},"e":null,"f":2}') as Record<string, unknown>)
  t.ok(deeplyFrozen(frozen))
  t.equal(freezeJson(3), 3, 'a primitive comes back as it is')
  const copy = thawJson(frozen) as { a: { b: [number, { c: string }] } }
  t.same(copy, frozen)
  t.ok(nothingFrozen(copy))
  t.not(copy.a, frozen.a)
  t.not(copy.a.b[1], (frozen.a as { b: unknown[] }).b[1], 'nested objects are copies too')
  copy.a.b[1].c = 'changed'
  t.equal(((frozen.a as { b: unknown[] }).b[1] as { c: string }).c, 'd', 'the frozen original is untouched')
})

t.test('a key called __proto__ stays an own key through thawJson and setKey, never a prototype', async (t) => {
  const frozen = freezeJson(JSON.parse('{"__proto__":{"admin":true},"x":1}') as Record<string, unknown>)
  const copy = thawJson(frozen) as Record<string, unknown>
  t.equal(Object.getPrototypeOf(copy), Object.prototype)
  t.same(Object.keys(copy), ['__proto__', 'x'])
  t.equal(JSON.stringify(copy), '{"__proto__":{"admin":true},"x":1}')
  t.equal((copy as { admin?: unknown }).admin, undefined, 'nothing inherited')
  const target: Record<string, unknown> = {}
  setKey(target, '__proto__', 5)
  setKey(target, 'y', 6)
  t.equal(Object.getPrototypeOf(target), Object.prototype)
  t.same(Object.entries(target), [['__proto__', 5], ['y', 6]])
})

t.test('jsonEqual: equal only when the JSON is', async (t) => {
  const frozen = freezeJson(JSON.parse('{"user":{"name":"ada","roles":["a","b"]},"n":1,"z":null}') as Record<string, unknown>)
  t.ok(jsonEqual(frozen, frozen), 'the frozen value itself')
  t.ok(jsonEqual(thawJson(frozen), frozen), 'a thawed copy')
  t.ok(jsonEqual({ ...frozen }, frozen), 'a shallow copy sharing its objects')
  const cases: Array<[string, unknown]> = [
    ['a changed nested string', { user: { name: 'bob', roles: ['a', 'b'] }, n: 1, z: null }],
    ['an array one longer', { user: { name: 'ada', roles: ['a', 'b', 'c'] }, n: 1, z: null }],
    ['keys in another order', { n: 1, user: { name: 'ada', roles: ['a', 'b'] }, z: null }],
    ['a key more', { user: { name: 'ada', roles: ['a', 'b'] }, n: 1, z: null, extra: 0 }],
    ['a key renamed', { user: { name: 'ada', roles: ['a', 'b'] }, n: 1, y: null }],
    ['a Date for a string', { user: { name: new Date(0), roles: ['a', 'b'] }, n: 1, z: null }],
    ['NaN for null (both JSON null, refused anyway)', { user: { name: 'ada', roles: ['a', 'b'] }, n: 1, z: NaN }],
    ['an object for an array', { user: { name: 'ada', roles: { 0: 'a', 1: 'b' } }, n: 1, z: null }],
    ['an array for an object', { user: ['ada'], n: 1, z: null }],
    ['a null-prototype object', Object.assign(Object.create(null) as object, { user: { name: 'ada', roles: ['a', 'b'] }, n: 1, z: null })],
    ['a class instance', new (class User { user = { name: 'ada', roles: ['a', 'b'] }; n = 1; z = null })()],
    ['undefined for null', { user: { name: 'ada', roles: ['a', 'b'] }, n: 1, z: undefined }],
    ['a string for a number', { user: { name: 'ada', roles: ['a', 'b'] }, n: '1', z: null }]
  ]
  for (const [what, value] of cases) t.notOk(jsonEqual(value, frozen), what)
  const withToJson = thawJson(frozen) as { user: Record<string, unknown> }
  withToJson.user.toJSON = () => 'x'
  t.notOk(jsonEqual(withToJson, frozen), 'a toJSON method')
  const arrayWithToJson = thawJson(frozen) as { user: { roles: unknown[] & { toJSON?: () => string } } }
  arrayWithToJson.user.roles.toJSON = () => 'x'
  t.notOk(jsonEqual(arrayWithToJson, frozen), 'a toJSON method on an array')
  t.ok(jsonEqual(0, -0), 'numbers JSON spells alike')
  t.notOk(jsonEqual(null, freezeJson({})))
})

t.test('jsonEqual true means the same JSON, on any two JSON values', async () => {
  fc.assert(fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
    const frozen = freezeJson(JSON.parse(JSON.stringify(b)) as unknown)
    const copy = thawJson(JSON.parse(JSON.stringify(a)) as unknown)
    return !jsonEqual(copy, frozen) || JSON.stringify(copy) === JSON.stringify(frozen)
  }))
  fc.assert(fc.property(fc.jsonValue(), (a) => {
    const frozen = freezeJson(JSON.parse(JSON.stringify(a)) as unknown)
    return jsonEqual(thawJson(frozen), frozen) && nothingFrozen(thawJson(frozen))
  }))
})

function routes (app: FastifyInstance): void {
  app.get('/init', async (request) => {
    loose(request).set('user', { name: 'ada', roles: ['user'], prefs: { theme: 'dark' } })
    loose(request).set('n', 1)
    return { ok: true }
  })
  // What a handler is handed: never frozen, at any depth, through get() or data().
  app.get('/frozen', async (request) => {
    const s = loose(request)
    const user = s.get('user')
    const all = request.session.data() as Record<string, unknown>
    return { get: !nothingFrozen(user), data: !nothingFrozen(all), changed: request.session.changed }
  })
  app.get('/data-then-get', async (request) => {
    const all = request.session.data() as Record<string, { prefs: { theme: string } }>
    ;(all.user as { prefs: { theme: string } }).prefs.theme = 'light'
    return { same: loose(request).get('user') === all.user }
  })
  app.get('/theme/:theme', async (request) => {
    const user = loose(request).get('user') as { prefs: { theme: string | Date } }
    const theme = (request.params as { theme: string }).theme
    user.prefs.theme = theme === 'date' ? new Date(0) : theme
    return { changed: request.session.changed }
  })
  app.get('/fail', async (request, reply) => {
    const user = loose(request).get('user') as { roles: string[] }
    user.roles.push('admin')
    return await reply.code(500).send({ failed: true })
  })
  app.get('/read', async (request) => ({ user: loose(request).get('user') ?? null, n: loose(request).get('n') ?? null }))
}

for (const store of ['cookie', 'memory'] as const) {
  const options = (): Record<string, unknown> => store === 'memory' ? { store: new MemoryStore() } : {}

  t.test(`${store} store: a handler is never handed a frozen object, and nothing it does to one reaches the next request`, async (t) => {
    const app = await build(t, options(), routes)
    const cookie = cookiePair(await app.inject('/init')) as string
    for (let i = 0; i < 2; i++) {
      const res = await app.inject({ url: '/frozen', headers: { cookie } })
      t.same(res.json(), { get: false, data: false, changed: false }, 'copies, and unchanged copies write nothing')
      t.equal(setCookies(res).length, 0)
    }
    const both = await app.inject({ url: '/data-then-get', headers: { cookie } })
    t.same(both.json(), { same: true }, 'data() and get() hand out the same copy')
    const failed = await app.inject({ url: '/fail', headers: { cookie: cookiePair(both) ?? cookie } })
    t.equal(failed.statusCode, 500)
    const read = await app.inject({ url: '/read', headers: { cookie: cookiePair(both) ?? cookie } })
    t.same(read.json(), { user: { name: 'ada', roles: ['user'], prefs: { theme: 'light' } }, n: 1 }, 'the change data() handed out was saved; the 5xx one was not')
  })

  t.test(`${store} store: a handed-out object is written when its JSON changed, and only then`, async (t) => {
    const app = await build(t, options(), routes)
    let cookie = cookiePair(await app.inject('/init')) as string
    const same = await app.inject({ url: '/theme/dark', headers: { cookie } })
    t.same(same.json(), { changed: false }, 'set to what it was')
    t.equal(setCookies(same).length, 0)
    const light = await app.inject({ url: '/theme/light', headers: { cookie } })
    t.same(light.json(), { changed: true })
    cookie = cookiePair(light) ?? cookie
    t.same((await app.inject({ url: '/read', headers: { cookie } })).json().user.prefs, { theme: 'light' })
    const date = await app.inject({ url: '/theme/date', headers: { cookie } })
    t.same(date.json(), { changed: true }, 'a Date is spelled as its ISO string: a change')
    cookie = cookiePair(date) ?? cookie
    t.same((await app.inject({ url: '/read', headers: { cookie } })).json().user.prefs, { theme: new Date(0).toISOString() })
  })
}

/** The slow request's two points: it has made its change (`entered`), and it may go on (`go`). */
interface Gate { entered: Promise<void>, go: () => void, enter: () => void, wait: Promise<void> }
function gate (): Gate {
  let enter = (): void => {}
  let go = (): void => {}
  const entered = new Promise<void>((resolve) => { enter = resolve })
  const wait = new Promise<void>((resolve) => { go = resolve })
  return { entered, go, enter, wait }
}
let slowGate = gate()

function saveRoutes (app: FastifyInstance): void {
  routes(app)
  // Changes a handed-out object, saves, then puts it back as it was loaded: the response must write the
  // put-back value, since the store now holds the saved one.
  app.get('/save-then-revert', async (request) => {
    const user = loose(request).get('user') as { prefs: { theme: string } }
    user.prefs.theme = 'light'
    await request.session.save()
    user.prefs.theme = 'dark'
    return { changed: request.session.changed }
  })
  // Changes a handed-out object in place, then waits at the gate: other requests of the session overlap it.
  app.get('/slow-change', async (request) => {
    const user = loose(request).get('user') as { prefs: { theme: string } }
    user.prefs.theme = 'slow'
    slowGate.enter()
    await slowGate.wait
    return { ok: true }
  })
  app.get('/logout', async (request) => {
    await request.session.destroy()
    return { ok: true }
  })
  // Waits at the gate while another request changes the session, reloads it, and puts the theme back to
  // what this request first loaded: a change against what the store holds now.
  app.get('/reload-then-dark', async (request) => {
    slowGate.enter()
    await slowGate.wait
    await request.session.reload()
    const user = loose(request).get('user') as { prefs: { theme: string } }
    user.prefs.theme = 'dark'
    return { changed: request.session.changed }
  })
}

for (const store of ['cookie', 'memory'] as const) {
  const options = (): Record<string, unknown> => store === 'memory' ? { store: new MemoryStore() } : {}

  t.test(`${store} store: after a save(), a change back to the loaded value is written`, async (t) => {
    const app = await build(t, options(), saveRoutes)
    const cookie = cookiePair(await app.inject('/init')) as string
    const res = await app.inject({ url: '/save-then-revert', headers: { cookie } })
    t.same(res.json(), { changed: true }, 'the store holds the saved value now')
    const read = await app.inject({ url: '/read', headers: { cookie: cookiePair(res) ?? cookie } })
    t.same(read.json().user.prefs, { theme: 'dark' })
  })

  t.test(`${store} store: a request that changes a shared object in place, overlapped by others of the same session`, async (t) => {
    const app = await build(t, options(), saveRoutes)
    const cookie = cookiePair(await app.inject('/init')) as string
    slowGate = gate()
    const slow = app.inject({ url: '/slow-change', headers: { cookie } })
    await slowGate.entered
    const during = await app.inject({ url: '/read', headers: { cookie } })
    t.same(during.json().user.prefs, { theme: 'dark' }, 'a request running meanwhile reads the data as stored, not the slow request\'s change')
    slowGate.go()
    const done = await slow
    const after = await app.inject({ url: '/read', headers: { cookie: cookiePair(done) ?? cookie } })
    t.same(after.json().user.prefs, { theme: 'slow' }, 'the slow request\'s change is written when it ends')
    if (store === 'memory') {
      slowGate = gate()
      const again = app.inject({ url: '/slow-change', headers: { cookie } })
      await slowGate.entered
      t.equal((await app.inject({ url: '/logout', headers: { cookie } })).statusCode, 200)
      slowGate.go()
      await again
      const gone = await app.inject({ url: '/read', headers: { cookie } })
      t.same(gone.json(), { user: null, n: null }, 'a logout in the middle sticks: the change is not written back')
    }
  })
}

t.test('memory store: after reload(), changes are compared with what was reloaded, not with what was first loaded', async (t) => {
  const app = await build(t, { store: new MemoryStore() }, saveRoutes)
  const cookie = cookiePair(await app.inject('/init')) as string
  slowGate = gate()
  const slow = app.inject({ url: '/reload-then-dark', headers: { cookie } })
  await slowGate.entered
  t.same((await app.inject({ url: '/theme/light', headers: { cookie } })).json(), { changed: true })
  slowGate.go()
  t.same((await slow).json(), { changed: true }, 'dark is a change against the reloaded light')
  t.same((await app.inject({ url: '/read', headers: { cookie } })).json().user.prefs, { theme: 'dark' })
})
