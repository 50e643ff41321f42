import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import createError from '@fastify/error'
import { csrfField } from './csrf.js'
import { html, money } from './html.js'
import { sendPage, wantsJson } from './page.js'
import './session-data.js'

const UnknownProductError = createError('DEMO_UNKNOWN_PRODUCT', 'There is no product with that id', 404)

/** A product of the demo's catalogue; prices in cents so totals add up exactly. */
export interface Product {
  id: number
  name: string
  priceCents: number
}

/** The demo shop: the session keeps only ids and quantities, names and prices come from here. */
export const CATALOGUE: readonly Product[] = Object.freeze([
  { id: 1, name: 'Espresso beans, 250 g', priceCents: 1250 },
  { id: 2, name: 'Ceramic mug', priceCents: 899 },
  { id: 3, name: 'Pour-over filter papers', priceCents: 450 },
  { id: 4, name: 'Hand grinder', priceCents: 4900 }
])

const byId = new Map(CATALOGUE.map((p) => [p.id, p]))

/** The cart as JSON clients get it: prices in dollars, computed from cents. */
export interface CartView {
  items: Array<{ id: number, name: string, price: number, qty: number, subtotal: number }>
  count: number
  total: number
}

function cartView (request: FastifyRequest): CartView {
  let totalCents = 0
  let count = 0
  const items: CartView['items'] = []
  for (const line of request.session.get('cart') ?? []) {
    const product = byId.get(line.id)
    if (product === undefined) continue
    totalCents += product.priceCents * line.qty
    count += line.qty
    items.push({ id: product.id, name: product.name, price: product.priceCents / 100, qty: line.qty, subtotal: product.priceCents * line.qty / 100 })
  }
  return { items, count, total: totalCents / 100 }
}

function cartPage (request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const view = cartView(request)
  const csrf = csrfField(reply)
  const rows = view.items.length === 0
    ? html`<p id="cart-empty" class="muted">Your cart is empty.</p>`
    : html`<table id="cart-items">
  <thead><tr><th>Product</th><th class="num">Qty</th><th class="num">Subtotal</th></tr></thead>
  <tbody>${view.items.map((i) => html`<tr data-product-id="${i.id}"><td>${i.name}</td><td class="num">${i.qty}</td><td class="num">${money(Math.round(i.subtotal * 100))}</td></tr>`)}</tbody>
</table>`
  return sendPage(request, reply, 'Cart', html`
<div class="card">
  <h2>Catalogue</h2>
  <table id="catalogue">
    ${CATALOGUE.map((p) => html`<tr><td>${p.name}</td><td class="num">${money(p.priceCents)}</td>
      <td class="num"><form method="post" action="/cart/add">${csrf}<input type="hidden" name="id" value="${p.id}"><button type="submit" id="add-${p.id}">Add</button></form></td></tr>`)}
  </table>
</div>
<div class="card">
  <h2>Your cart</h2>
  ${rows}
  <p>Total: <strong id="cart-total" data-testid="cart-total">${money(Math.round(view.total * 100))}</strong>
    (<span id="cart-count">${view.count}</span> ${view.count === 1 ? 'item' : 'items'})</p>
  <form method="post" action="/cart/clear">${csrf}<button class="link" type="submit" id="cart-clear">Clear the cart</button></form>
  <p class="muted">The same cart as JSON: <a href="/cart.json">/cart.json</a> (or <code>Accept: application/json</code> on <code>/cart</code>).</p>
</div>`)
}

/** The cart: a page with the catalogue, the same data as JSON, add by product id, clear. */
export async function cartRoutes (app: FastifyInstance): Promise<void> {
  app.get('/cart', async function showCart (request, reply) {
    if (wantsJson(request.headers.accept)) return cartView(request)
    return cartPage(request, reply)
  })

  app.get('/cart.json', async function cartJson (request) {
    return cartView(request)
  })

  app.post<{ Body: { id?: unknown } | undefined }>('/cart/add', async function addToCart (request, reply) {
    const id = Number(request.body?.id)
    const product = byId.get(id)
    if (product === undefined) throw new UnknownProductError()
    const cart = request.session.get('cart') ?? []
    const line = cart.find((l) => l.id === id)
    if (line === undefined) cart.push({ id, qty: 1 })
    else line.qty += 1
    request.session.set('cart', cart)
    if (wantsJson(request.headers.accept)) return cartView(request)
    return reply.redirect('/cart', 303)
  })

  app.post('/cart/clear', async function clearCart (request, reply) {
    request.session.delete('cart')
    if (wantsJson(request.headers.accept)) return cartView(request)
    return reply.redirect('/cart', 303)
  })
}
