import t from 'tap'
import { Browser, demo, STORES, textOf } from '../helpers/demo-client.js'

// Every state-changing form of the demo carries a CSRF token (@fastify/csrf-protection, its secret in
// the session); a POST without a valid one is refused before its handler runs.

const FIELD = /<form method="post" action="([^"]+)"[^>]*>\s*(?:<input type="hidden" name="(?:next|id|user)" value="[^"]*">\s*)?<input type="hidden" name="_csrf" value="[^"]+">/g

for (const store of STORES) {
  t.test(`demo CSRF protection on the ${store} store`, async (t) => {
    const app = await demo(t, store)

    t.test('every form on every page carries a token', async (t) => {
      const admin = new Browser(app)
      await admin.login('admin')
      const pages: Record<string, string[]> = {
        '/login': ['/login', '/logout'],
        '/cart': ['/cart/add', '/cart/clear', '/logout'],
        '/preferences': ['/preferences', '/logout'],
        '/admin': store === 'cookie' ? ['/logout'] : ['/admin/revoke', '/logout'],
        '/dashboard': ['/logout']
      }
      for (const [url, actions] of Object.entries(pages)) {
        const body = (await admin.get(url)).body
        const forms = body.match(/<form /g)?.length ?? 0
        const protectedActions = [...body.matchAll(FIELD)].map((m) => m[1])
        t.equal(protectedActions.length, forms, `${url}: ${forms} forms, each with a token`)
        t.same([...new Set(protectedActions)].sort(), [...actions].sort(), `${url}: the forms post to ${actions.join(', ')}`)
      }
    })

    t.test('a POST without a token: 403, a page for a browser, the code for an API client; nothing changes', async (t) => {
      const browser = new Browser(app)
      await browser.login('alice')
      await browser.post('/cart/add', { id: '1' })
      for (const [url, form] of [['/cart/add', { id: '2' }], ['/cart/clear', {}], ['/preferences', { theme: 'dark' }], ['/logout', {}], ['/login', { username: 'admin', password: 'password' }]] as const) {
        const page = await browser.post(url, form, undefined, false)
        t.equal(page.statusCode, 403, url)
        t.ok(textOf(page.body, 'error-csrf'), `${url}: the "form expired" page`)
        const api = await browser.post(url, form, 'application/json', false)
        t.equal(api.json().code, 'FST_CSRF_INVALID_TOKEN', url)
      }
      const dashboard = (await browser.get('/dashboard', 'application/json')).json()
      t.same(dashboard, { user: 'alice', role: 'user', cartItems: 1 }, 'still alice, the cart unchanged')
      t.match((await browser.get('/preferences')).body, /id="theme-light" checked>/, 'the theme unchanged')
    })

    t.test("a guest with no session at all is refused too, and another session's token does not work", async (t) => {
      const guest = new Browser(app)
      const refused = await guest.post('/login', { username: 'alice', password: 'password' }, 'application/json', false)
      t.equal(refused.json().code, 'FST_CSRF_MISSING_SECRET')
      const other = new Browser(app)
      const token = await other.csrfToken()
      await guest.csrfToken()
      const stolen = await guest.post('/login', { username: 'alice', password: 'password' }, 'application/json', token)
      t.equal(stolen.json().code, 'FST_CSRF_INVALID_TOKEN')
    })

    t.test('login starts a new session: a token from before it is refused after it', async (t) => {
      const browser = new Browser(app)
      const before = await browser.csrfToken()
      t.equal((await browser.post('/login', { username: 'alice', password: 'password' }, undefined, before)).statusCode, 303)
      t.equal((await browser.get('/dashboard')).statusCode, 200, 'the page after login, with forms made from a new secret')
      const stale = await browser.post('/cart/add', { id: '1' }, 'application/json', before)
      t.equal(stale.json().code, 'FST_CSRF_INVALID_TOKEN')
      const fresh = await browser.post('/cart/add', { id: '1' }, 'application/json')
      t.equal(fresh.json().count, 1)
    })
  })
}
