// Nothing acknowledged is lost by the write path: a save() followed by more changes in the same
// request, a change made while a save() is still running, an object held across a save() and changed
// after it, and saveUninitialized sessions written twice. Real HTTP, on every store.
import expressSession from 'express-session'
import Fastify from 'fastify'
import t, { type Test } from 'tap'
import fastifySession, { CookieStore, fromConnectStore, type FastifySessionOptions, type SessionStore } from '../../lib/index.js'
import { loose, SECRET } from '../helpers/index.js'
import { BrowserJar, listen } from '../helpers/http.js'
import { SERVER_STORES } from '../helpers/server-stores.js'

t.setTimeout(180_000)

type Make = (t: Test) => Promise<SessionStore | CookieStore>
const STORES: Array<readonly [string, Make, () => false | string]> = [
  ['cookie', async () => new CookieStore(), () => false],
  ...SERVER_STORES,
  ['connect (express-session MemoryStore)', async () => fromConnectStore(new expressSession.MemoryStore()), () => false]
]

async function serve (t: Test, store: SessionStore | CookieStore, options: Partial<FastifySessionOptions> = {}): Promise<string> {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifySession, { secret: SECRET, store, ...options } as FastifySessionOptions)
  app.get('/data', async (request) => request.session.data())
  app.get('/login', async (request) => {
    await request.session.regenerate()
    loose(request).set('a', 1)
    return { ok: true }
  })
  app.get('/save-then-set', async (request) => {
    await request.session.save()
    loose(request).set('x', 1)
    return { ok: true }
  })
  app.get('/destroy-save-set', async (request) => {
    await request.session.destroy()
    await request.session.save()
    // The same value the destroyed session held: it must still be written, to the new session.
    loose(request).set('a', 1)
    return { ok: true }
  })
  app.get('/change-during-save', async (request) => {
    const s = loose(request)
    s.set('n', 1)
    const saving = request.session.save()
    s.set('n', 2)
    await saving
    s.set('x', 3)
    await request.session.save()
    return { ok: true }
  })
  app.get('/two-saves-at-once', async (request) => {
    const s = loose(request)
    s.set('first', 1)
    const first = request.session.save()
    s.set('second', 2)
    const second = request.session.save()
    s.set('first', 3)
    await Promise.all([first, second])
    return { ok: true }
  })
  app.get('/held-object', async (request) => {
    const s = loose(request)
    s.set('cart', [])
    const cart = s.get('cart') as string[]
    cart.push('a')
    await request.session.save()
    cart.push('b')
    return { ok: true }
  })
  app.get('/held-object-two-saves', async (request) => {
    const cart = loose(request).get('cart') as string[]
    cart.push('c')
    await request.session.save()
    cart.push('d')
    await request.session.save()
    cart.push('e')
    return { ok: true }
  })
  app.get('/data-copy', async (request) => {
    // data() shares its objects with the session: every key stays watched after a save.
    const copy = request.session.data() as Record<string, unknown>
    loose(request).set('box', { n: 1 })
    await request.session.save()
    ;(loose(request).get('box') as { n: number }).n = 2
    ;(copy.cart as string[] | undefined)?.push('from-copy')
    return { ok: true }
  })
  app.get('/many-objects', async (request) => {
    const s = loose(request)
    for (let i = 0; i < 40; i++) s.set(`o${i}`, { i })
    await request.session.save()
    const held = Array.from({ length: 40 }, (_, i) => s.get(`o${i}`) as { i: number })
    await request.session.save()
    for (const o of held) o.i += 100
    return { ok: true }
  })
  return await listen(app)
}

async function data (jar: BrowserJar, url: string): Promise<unknown> {
  return await (await jar.fetch(`${url}/data`)).json()
}

for (const [name, make, skip] of STORES) {
  t.test(name, { skip: skip() }, async (t) => {
    await t.test('saveUninitialized: save() then set() in one request writes both, never a 503', async (t) => {
      const url = await serve(t, await make(t), { saveUninitialized: true })
      const jar = new BrowserJar()
      const res = await jar.fetch(`${url}/save-then-set`)
      t.equal(res.status, 200)
      t.same(await data(jar, url), { x: 1 })
    })

    await t.test('destroy(), save(), then set() of a value the old session held: written to the new session', async (t) => {
      const url = await serve(t, await make(t), { saveUninitialized: true })
      const jar = new BrowserJar()
      await jar.fetch(`${url}/login`)
      const res = await jar.fetch(`${url}/destroy-save-set`)
      t.equal(res.status, 200)
      t.same(await data(jar, url), { a: 1 })
    })

    await t.test('a change made while save() runs is in the next write', async (t) => {
      const url = await serve(t, await make(t))
      const jar = new BrowserJar()
      await jar.fetch(`${url}/login`)
      t.equal((await jar.fetch(`${url}/change-during-save`)).status, 200)
      t.same(await data(jar, url), { a: 1, n: 2, x: 3 })
    })

    await t.test('two saves at once: the second waits for the first, and the last change wins', async (t) => {
      const url = await serve(t, await make(t))
      const jar = new BrowserJar()
      await jar.fetch(`${url}/login`)
      t.equal((await jar.fetch(`${url}/two-saves-at-once`)).status, 200)
      t.same(await data(jar, url), { a: 1, first: 3, second: 2 })
    })

    await t.test('an object held across save() and changed after it is persisted', async (t) => {
      const url = await serve(t, await make(t))
      const jar = new BrowserJar()
      await jar.fetch(`${url}/login`)
      await jar.fetch(`${url}/held-object`)
      t.same(await data(jar, url), { a: 1, cart: ['a', 'b'] })
      await jar.fetch(`${url}/held-object-two-saves`)
      t.same(await data(jar, url), { a: 1, cart: ['a', 'b', 'c', 'd', 'e'] }, 'and across two saves')
      await jar.fetch(`${url}/data-copy`)
      t.same(await data(jar, url), { a: 1, cart: ['a', 'b', 'c', 'd', 'e', 'from-copy'], box: { n: 2 } }, 'objects shared through data() too')
    })

    await t.test('forty objects held across a save: every one still watched', async (t) => {
      const url = await serve(t, await make(t))
      const jar = new BrowserJar()
      await jar.fetch(`${url}/login`)
      await jar.fetch(`${url}/many-objects`)
      const back = await data(jar, url) as Record<string, { i: number }>
      t.same(Object.keys(back).filter((k) => k.startsWith('o')).map((k) => (back[k] as { i: number }).i - Number(k.slice(1))), Array(40).fill(100))
    })
  })
}
