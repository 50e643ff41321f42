import t from 'tap'
import { build } from '../../examples/cart.js'
import { cookiePair, SECRET } from '../helpers/index.js'

t.test('examples/cart.ts: add by id, read the total, clear', async (t) => {
  const app = await build(SECRET)
  t.teardown(() => app.close())
  const first = await app.inject({ method: 'POST', url: '/cart/2' })
  t.same(first.json(), { added: 2 })
  const cookie = cookiePair(first) as string
  await app.inject({ method: 'POST', url: '/cart/2', headers: { cookie } })
  await app.inject({ method: 'POST', url: '/cart/1', headers: { cookie } })
  t.equal((await app.inject({ method: 'POST', url: '/cart/9', headers: { cookie } })).statusCode, 404)
  const cart = (await app.inject({ url: '/cart', headers: { cookie } })).json()
  t.same(cart.items.map((i: { id: number, qty: number }) => [i.id, i.qty]), [[2, 2], [1, 1]])
  t.equal(cart.totalCents, cart.items.reduce((s: number, i: { subtotalCents: number }) => s + i.subtotalCents, 0))
  t.ok(cart.totalCents > 0)
  await app.inject({ method: 'DELETE', url: '/cart', headers: { cookie } })
  t.same((await app.inject({ url: '/cart', headers: { cookie } })).json(), { items: [], totalCents: 0 })
})
