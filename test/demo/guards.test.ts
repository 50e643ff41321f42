import t from 'tap'
import { Browser, demo, STORES, textOf } from '../helpers/demo-client.js'

for (const store of STORES) {
  t.test(`demo guards on the ${store} store`, async (t) => {
    const app = await demo(t, store)

    t.test('dashboard without login: 303 to the login form for a browser, no-store', async (t) => {
      const res = await new Browser(app).get('/dashboard')
      t.equal(res.statusCode, 303)
      t.equal(res.headers.location, '/login?next=%2Fdashboard')
      t.equal(res.headers['cache-control'], 'no-store')
    })

    t.test('dashboard without login: 401 in Fastify\'s JSON error shape for an API client', async (t) => {
      for (const accept of ['application/json', '*/*']) {
        const res = await new Browser(app).get('/dashboard', accept)
        t.equal(res.statusCode, 401)
        t.match(res.headers['content-type'], /^application\/json/)
        t.same(res.json(), { statusCode: 401, code: 'FST_SESSION_UNAUTHORIZED', error: 'Unauthorized', message: res.json().message })
      }
    })

    t.test('admin panel for alice: a friendly 403 page for a browser, 403 JSON for an API client', async (t) => {
      const browser = new Browser(app)
      await browser.login('alice')
      const page = await browser.get('/admin')
      t.equal(page.statusCode, 403)
      t.match(page.headers['content-type'], /^text\/html/)
      t.equal(page.headers['cache-control'], 'no-store')
      t.ok(textOf(page.body, 'error-403'), 'the 403 page')
      t.equal(textOf(page.body, 'nav-user'), 'alice user', 'the nav still shows who is logged in')
      t.notOk(textOf(page.body, 'admin-panel'))
      const api = await browser.get('/admin', 'application/json')
      t.equal(api.statusCode, 403)
      t.equal(api.json().code, 'FST_SESSION_FORBIDDEN')
    })

    t.test('admin panel for admin: the page with the users', async (t) => {
      const browser = new Browser(app)
      await browser.login('admin')
      const page = await browser.get('/admin')
      t.equal(page.statusCode, 200)
      t.match(textOf(page.body, 'admin-panel'), /Username Role .*admin admin .*alice user/)
      t.equal(textOf(page.body, 'nav-user'), 'admin admin')
    })

    t.test('admin panel without login: a friendly 401 page with a way back for a browser, 401 JSON otherwise', async (t) => {
      const page = await new Browser(app).get('/admin')
      t.equal(page.statusCode, 401)
      t.match(page.headers['content-type'], /^text\/html/)
      t.equal(page.headers['cache-control'], 'no-store')
      t.ok(textOf(page.body, 'error-401'), 'the 401 page')
      t.match(page.body, /id="error-login" href="\/login\?next=%2Fadmin"/)
      t.equal(textOf(page.body, 'nav-user'), 'Guest')
      t.notOk(page.headers['set-cookie'], 'a denied guest gets no session')
      const api = await new Browser(app).get('/admin', 'application/json')
      t.equal(api.statusCode, 401)
      t.equal(api.json().code, 'FST_SESSION_UNAUTHORIZED')
    })

    t.test('an unknown page: a 404 page for a browser, JSON for an API client', async (t) => {
      const res = await new Browser(app).get('/nowhere?<b>')
      t.equal(res.statusCode, 404)
      t.ok(textOf(res.body, 'error-404'))
      t.notMatch(res.body, /<b>/, 'the url is escaped')
      const api = await new Browser(app).get('/nowhere', 'application/json')
      t.equal(api.statusCode, 404)
      t.equal(api.json().statusCode, 404)
    })
  })
}
