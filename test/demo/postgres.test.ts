import t from 'tap'
import { Browser, demo, textOf } from '../helpers/demo-client.js'
import { postgresSkip, startPostgres } from '../helpers/postgres-server.js'

t.test('the demo on SESSION_STORE=postgres with a real PostgreSQL', { skip: postgresSkip() }, async (t) => {
  const server = await startPostgres(t)
  const app = await demo(t, 'postgres', server.url)
  const browser = new Browser(app)
  t.equal((await browser.get('/dashboard')).statusCode, 303)
  t.equal((await browser.login('admin')).statusCode, 303)
  const panel = await browser.get('/admin')
  t.equal(panel.statusCode, 200)
  t.equal(textOf(panel.body, 'nav-user'), 'admin admin')
  t.equal(textOf(panel.body, 'sessions-admin'), '1', 'the per-user index in PostgreSQL')
  await browser.post('/cart/add', { id: '1' })
  await browser.post('/cart/add', { id: '1' })
  t.equal((await browser.get('/cart.json', 'application/json')).json().count, 2)
  t.equal(textOf((await browser.get('/dashboard')).body, 'store-name'), 'postgres')
  const loggedIn = browser.cookieHeader as string
  t.equal((await browser.post('/logout')).statusCode, 303)
  const replay = await app.inject({ url: '/dashboard', headers: { cookie: loggedIn, accept: 'application/json' } })
  t.equal(replay.statusCode, 401, 'logout deleted the row in PostgreSQL')
})
