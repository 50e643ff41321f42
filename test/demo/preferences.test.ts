import t from 'tap'
import { Browser, demo, STORES, textOf } from '../helpers/demo-client.js'

for (const store of STORES) {
  t.test(`demo preferences on the ${store} store`, async (t) => {
    const app = await demo(t, store)

    t.test('the visit counter counts each view, per session', async (t) => {
      const browser = new Browser(app)
      for (let n = 1; n <= 3; n++) {
        const res = await browser.get('/preferences')
        t.equal(res.statusCode, 200)
        t.equal(textOf(res.body, 'visits'), String(n))
      }
      const other = new Browser(app)
      t.equal(textOf((await other.get('/preferences')).body, 'visits'), '1', 'another browser has its own count')
    })

    t.test('the theme form sets the theme every page uses', async (t) => {
      const browser = new Browser(app)
      t.match((await browser.get('/')).body, /<body class="light">/)
      const saved = await browser.post('/preferences', { theme: 'dark' })
      t.equal(saved.statusCode, 303)
      t.equal(saved.headers.location, '/preferences')
      const page = await browser.get('/preferences')
      t.match(page.body, /<body class="dark">/)
      t.match(page.body, /id="theme-dark" checked/)
      t.match((await browser.get('/')).body, /<body class="dark">/)
    })

    t.test('a theme that is not light or dark is ignored', async (t) => {
      const browser = new Browser(app)
      await browser.post('/preferences', { theme: 'dark' })
      await browser.post('/preferences', { theme: '"><script>' })
      const page = await browser.get('/preferences')
      t.match(page.body, /<body class="dark">/)
      t.notMatch(page.body, /<script>/)
    })

    t.test('the theme survives login (regenerate keeps it)', async (t) => {
      const browser = new Browser(app)
      await browser.post('/preferences', { theme: 'dark' })
      await browser.login('alice')
      t.match((await browser.get('/dashboard')).body, /<body class="dark">/)
    })
  })
}
