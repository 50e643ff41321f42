import t from 'tap'
import { Browser, demo, STORES, textOf } from '../helpers/demo-client.js'

for (const store of STORES) {
  t.test(`demo home, logout and flash messages on the ${store} store`, async (t) => {
    const app = await demo(t, store)

    t.test('home for a guest: a guest greeting, the nav says Guest, and no cookie is set', async (t) => {
      const browser = new Browser(app)
      const res = await browser.get('/')
      t.equal(res.statusCode, 200)
      t.match(res.headers['content-type'], /^text\/html; charset=utf-8/)
      t.equal(res.headers['cache-control'], 'no-store')
      t.match(res.headers['content-security-policy'], /default-src 'none'/)
      t.match(textOf(res.body, 'greeting'), /^Hello, guest\./)
      t.equal(textOf(res.body, 'nav-user'), 'Guest')
      t.notOk(textOf(res.body, 'flash'))
      t.notOk(res.headers['set-cookie'], 'saveUninitialized: false holds through the demo pages')
    })

    t.test('home when logged in: welcome back, and the nav shows the user and role', async (t) => {
      const browser = new Browser(app)
      await browser.login('alice')
      const res = await browser.get('/')
      t.match(textOf(res.body, 'greeting'), /^Welcome back, alice \.$/)
      t.equal(textOf(res.body, 'nav-role'), 'user')
      t.match(res.body, /<button class="link" id="logout" type="submit">Log out<\/button>/)
    })

    t.test('a flash after login is shown once, on the next page only', async (t) => {
      const browser = new Browser(app)
      await browser.login('admin', 'password', '/')
      const first = await browser.get('/')
      t.equal(textOf(first.body, 'flash'), 'Logged in as admin.')
      const second = await browser.get('/')
      t.notOk(textOf(second.body, 'flash'), 'gone on the page after')
      t.equal(textOf(second.body, 'nav-user'), 'admin admin', 'still logged in')
    })

    t.test('logout: 303 home, a flash once, a guest again, and the old cookie is worthless', async (t) => {
      const browser = new Browser(app)
      await browser.login('alice')
      const loggedIn = browser.cookieHeader as string
      const res = await browser.post('/logout')
      t.equal(res.statusCode, 303)
      t.equal(res.headers.location, '/')
      const home = await browser.get('/')
      t.equal(textOf(home.body, 'flash'), 'You have been logged out.')
      t.equal(textOf(home.body, 'nav-user'), 'Guest')
      t.match(textOf(home.body, 'greeting'), /^Hello, guest\./)
      t.notOk(textOf((await browser.get('/')).body, 'flash'), 'shown once')
      t.equal((await browser.get('/dashboard')).statusCode, 303, 'the dashboard is closed again')
      if (store === 'memory') {
        const replay = await app.inject({ url: '/dashboard', headers: { cookie: loggedIn, accept: 'application/json' } })
        t.equal(replay.statusCode, 401, 'destroy() removed the server record')
      }
    })
  })
}
