import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, cookiePair, loose, setCookies } from '../helpers/index.js'

interface Cart { items: Array<{ id: number, qty: number }> }

function routes (app: FastifyInstance): void {
  app.get('/init', async (request) => {
    loose(request).set('cart', { items: [] })
    return { ok: true }
  })
  app.get('/add/:id', async (request) => {
    // Mutated in place, no set(): the change must still be saved.
    const cart = loose(request).get('cart') as Cart
    cart.items.push({ id: Number((request.params as { id: string }).id), qty: 1 })
    return cart
  })
  app.get('/peek', async (request) => loose(request).get('cart') as Cart)
  app.get('/all', async (request) => {
    const copy = request.session.data() as Record<string, Cart>
    ;(copy.cart as Cart).items.length = 0
    return { ok: true }
  })
  app.get('/cart', async (request) => loose(request).get('cart') ?? null)
}

t.test('a change made inside an object returned by get() is persisted', async (t) => {
  const app = await build(t, {}, routes)
  let res = await app.inject('/init')
  res = await app.inject({ url: '/add/7', headers: { cookie: cookiePair(res) } })
  t.equal(setCookies(res).length, 1, 'the in-place change sends a cookie')
  res = await app.inject({ url: '/add/9', headers: { cookie: cookiePair(res) } })
  const cart = await app.inject({ url: '/cart', headers: { cookie: cookiePair(res) } })
  t.same(cart.json(), { items: [{ id: 7, qty: 1 }, { id: 9, qty: 1 }] })
})

t.test('an object read with get() and left unchanged sends no cookie', async (t) => {
  const app = await build(t, {}, routes)
  const init = await app.inject('/init')
  const res = await app.inject({ url: '/peek', headers: { cookie: cookiePair(init) } })
  t.same(res.json(), { items: [] })
  t.same(setCookies(res), [])
})

t.test('nested objects reached through data() are the session\'s own: changes to them persist', async (t) => {
  const app = await build(t, {}, routes)
  let res = await app.inject('/init')
  res = await app.inject({ url: '/add/1', headers: { cookie: cookiePair(res) } })
  res = await app.inject({ url: '/all', headers: { cookie: cookiePair(res) } })
  const cart = await app.inject({ url: '/cart', headers: { cookie: cookiePair(res) } })
  t.same(cart.json(), { items: [] })
})
