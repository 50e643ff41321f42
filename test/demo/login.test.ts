import t from 'tap'
import { Browser, demo, STORES, textOf } from '../helpers/demo-client.js'

for (const store of STORES) {
  t.test(`demo login on the ${store} store`, async (t) => {
    t.test('the login form is a page with the fields and the safe next', async (t) => {
      const browser = new Browser(await demo(t, store))
      const res = await browser.get('/login?next=%2Fcart')
      t.equal(res.statusCode, 200)
      t.match(res.headers['content-type'], /^text\/html/)
      t.match(res.body, /<form method="post" action="\/login" id="login-form">/)
      t.match(res.body, /<input type="hidden" name="next" value="\/cart">/)
      t.ok(textOf(res.body, 'login-required'), 'says a login is needed when sent here')
    })

    t.test('right credentials: 303 to the dashboard with a new session id, logged in as alice', async (t) => {
      const browser = new Browser(await demo(t, store))
      await browser.post('/cart/add', { id: '2' })
      const before = browser.cookies.get('sid')
      t.ok(before, 'a guest session exists before login')
      const res = await browser.login('alice')
      t.equal(res.statusCode, 303)
      t.equal(res.headers.location, '/dashboard')
      t.not(browser.cookies.get('sid'), before, 'regenerate() gave the session a new cookie')
      const page = await browser.get('/dashboard')
      t.equal(page.statusCode, 200)
      t.equal(textOf(page.body, 'nav-user'), 'alice user')
      t.match(textOf(page.body, 'dashboard-user'), /^Signed in as alice with the role user\b/)
      const cart = await browser.get('/cart.json', 'application/json')
      t.equal(cart.json().count, 1, 'the guest cart came along through login')
    })

    t.test('the old session id is dead after login on a server store, and replaying it is a guest', async (t) => {
      const browser = new Browser(await demo(t, store))
      await browser.post('/preferences', { theme: 'dark' })
      const guestCookie = browser.cookieHeader as string
      await browser.login('admin')
      const replay = await browser.app.inject({ url: '/dashboard', headers: { cookie: guestCookie, accept: 'application/json' } })
      t.equal(replay.statusCode, 401, 'the pre-login cookie never carries the login')
    })

    t.test('wrong password and unknown user: the form again with an error, status 401, no login', async (t) => {
      const browser = new Browser(await demo(t, store))
      for (const [user, pass] of [['alice', 'wrong'], ['mallory', 'password'], ['', '']]) {
        const res = await browser.login(user as string, pass)
        t.equal(res.statusCode, 401)
        t.equal(textOf(res.body, 'login-error'), 'Wrong username or password.')
        t.match(res.body, /id="login-form"/)
        t.equal(textOf(res.body, 'nav-user'), 'Guest')
      }
      const dash = await browser.get('/dashboard', 'application/json')
      t.equal(dash.statusCode, 401)
    })

    t.test('the username is escaped when the form is shown again', async (t) => {
      const browser = new Browser(await demo(t, store))
      const res = await browser.login('<script>alert(1)</script>"', 'x')
      t.equal(res.statusCode, 401)
      t.notMatch(res.body, /<script>alert/)
      t.match(res.body, /value="&lt;script&gt;alert\(1\)&lt;\/script&gt;&quot;"/)
    })

    t.test('after login the browser goes back to a safe next, never off the site', async (t) => {
      const cases: Array<[string, string]> = [
        ['/cart', '/cart'],
        ['/preferences?x=1', '/preferences?x=1'],
        ['//evil.example/', '/dashboard'],
        ['https://evil.example/', '/dashboard'],
        ['/\\evil.example', '/dashboard'],
        ['/ok\r\nx: y', '/dashboard']
      ]
      const app = await demo(t, store)
      for (const [next, expected] of cases) {
        const browser = new Browser(app)
        const res = await browser.login('alice', 'password', next)
        t.equal(res.statusCode, 303)
        t.equal(res.headers.location, expected, `next=${JSON.stringify(next)}`)
      }
    })

    t.test('the dashboard guard sends a browser to login and login brings it back', async (t) => {
      const browser = new Browser(await demo(t, store))
      const denied = await browser.get('/dashboard')
      t.equal(denied.statusCode, 303)
      t.equal(denied.headers.location, '/login?next=%2Fdashboard')
      const form = await browser.get(denied.headers.location as string)
      const next = /name="next" value="([^"]*)"/.exec(form.body)?.[1]
      t.equal(next, '/dashboard')
      const res = await browser.login('alice', 'password', next)
      t.equal(res.headers.location, '/dashboard')
      t.equal((await browser.get('/dashboard')).statusCode, 200)
    })
  })
}
