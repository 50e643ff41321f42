import t from 'tap'
import { Browser, demo, textOf } from '../helpers/demo-client.js'
import { redisSkip, startRedis } from '../helpers/redis-server.js'

t.test('the demo on SESSION_STORE=redis with a real redis-server', { skip: redisSkip() }, async (t) => {
  const redis = await startRedis(t)
  const app = await demo(t, 'redis', redis.url)
  const browser = new Browser(app)
  t.equal((await browser.get('/dashboard')).statusCode, 303)
  t.equal((await browser.login('admin')).statusCode, 303)
  const panel = await browser.get('/admin')
  t.equal(panel.statusCode, 200)
  t.equal(textOf(panel.body, 'nav-user'), 'admin admin')
  t.equal(textOf(panel.body, 'sessions-admin'), '1', 'the per-user index in Redis')
  await browser.post('/cart/add', { id: '1' })
  await browser.post('/cart/add', { id: '1' })
  t.equal((await browser.get('/cart.json', 'application/json')).json().count, 2)
  t.equal(textOf((await browser.get('/dashboard')).body, 'store-name'), 'redis')
  const loggedIn = browser.cookieHeader as string
  t.equal((await browser.post('/logout')).statusCode, 303)
  const replay = await app.inject({ url: '/dashboard', headers: { cookie: loggedIn, accept: 'application/json' } })
  t.equal(replay.statusCode, 401, 'logout destroyed the record in Redis')
})
