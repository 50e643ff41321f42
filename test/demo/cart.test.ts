import t from 'tap'
import { CATALOGUE } from '../../examples/demo/cart-routes.js'
import { Browser, demo, STORES, textOf } from '../helpers/demo-client.js'

function price (id: number): number {
  const product = CATALOGUE.find((p) => p.id === id)
  if (product === undefined) throw new Error(`no product ${id}`)
  return product.priceCents
}

for (const store of STORES) {
  t.test(`demo cart on the ${store} store`, async (t) => {
    const app = await demo(t, store)

    t.test('an empty cart: a page with the catalogue, and JSON with no items', async (t) => {
      const browser = new Browser(app)
      t.same((await browser.get('/cart.json', 'application/json')).json(), { items: [], count: 0, total: 0 })
      t.notOk(browser.cookies.get('sid'), 'reading an empty cart as JSON sets no cookie')
      const page = await browser.get('/cart')
      t.equal(page.statusCode, 200)
      t.match(page.headers['content-type'], /^text\/html/)
      t.ok(textOf(page.body, 'cart-empty'))
      t.equal(textOf(page.body, 'cart-total'), '$0.00')
      for (const p of CATALOGUE) t.match(page.body, new RegExp(`id="add-${p.id}"`))
      t.ok(browser.cookies.get('sid'), "the page's forms carry a CSRF token, whose secret starts a session")
      t.same((await browser.get('/cart.json', 'application/json')).json(), { items: [], count: 0, total: 0 }, 'holding no cart')
    })

    t.test('adding from the page: 303 back to the cart, quantities and total add up', async (t) => {
      const browser = new Browser(app)
      for (const id of [1, 2, 1]) {
        const res = await browser.post('/cart/add', { id: String(id) })
        t.equal(res.statusCode, 303)
        t.equal(res.headers.location, '/cart')
      }
      const expected = (2 * price(1) + price(2)) / 100
      const json = (await browser.get('/cart.json', 'application/json')).json()
      t.same(json.items.map((i: { id: number, qty: number }) => [i.id, i.qty]), [[1, 2], [2, 1]])
      t.equal(json.count, 3)
      t.equal(json.total, expected)
      t.equal(json.items[0].subtotal, 2 * price(1) / 100)
      const page = await browser.get('/cart')
      t.equal(textOf(page.body, 'cart-total'), `$${expected.toFixed(2)}`)
      t.equal(textOf(page.body, 'cart-count'), '3')
      t.match(page.body, /data-product-id="1"><td>[^<]+<\/td><td class="num">2<\/td>/)
    })

    t.test('the cart as JSON through Accept on /cart, and adding as an API client', async (t) => {
      const browser = new Browser(app)
      const added = await browser.postJson('/cart/add', { id: 4 })
      t.equal(added.statusCode, 200)
      t.equal(added.json().total, price(4) / 100)
      const res = await browser.get('/cart', 'application/json')
      t.match(res.headers['content-type'], /^application\/json/)
      t.same(res.json(), added.json())
    })

    t.test('an unknown product: 404, HTML page for a browser, JSON for an API client; the cart is unchanged', async (t) => {
      const browser = new Browser(app)
      await browser.post('/cart/add', { id: '2' })
      for (const id of ['99', 'abc', '']) {
        const page = await browser.post('/cart/add', { id })
        t.equal(page.statusCode, 404)
        t.ok(textOf(page.body, 'error-404'))
      }
      const api = await browser.postJson('/cart/add', { id: 99 })
      t.equal(api.statusCode, 404)
      t.equal(api.json().code, 'DEMO_UNKNOWN_PRODUCT')
      t.equal((await browser.get('/cart.json', 'application/json')).json().count, 1)
    })

    t.test('clearing empties the cart', async (t) => {
      const browser = new Browser(app)
      await browser.post('/cart/add', { id: '3' })
      const res = await browser.post('/cart/clear')
      t.equal(res.statusCode, 303)
      t.same((await browser.get('/cart.json', 'application/json')).json(), { items: [], count: 0, total: 0 })
      t.ok(textOf((await browser.get('/cart')).body, 'cart-empty'))
    })

    t.test('two browsers have two carts', async (t) => {
      const a = new Browser(app)
      const b = new Browser(app)
      await a.post('/cart/add', { id: '1' })
      await b.post('/cart/add', { id: '2' })
      t.equal((await a.get('/cart.json', 'application/json')).json().items[0].id, 1)
      t.equal((await b.get('/cart.json', 'application/json')).json().items[0].id, 2)
    })
  })
}
