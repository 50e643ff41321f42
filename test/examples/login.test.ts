import t from 'tap'
import { build } from '../../examples/login.js'
import { cookiePair, SECRET } from '../helpers/index.js'

t.test('examples/login.ts: log in with JSON, read /me, log out', async (t) => {
  const app = await build(SECRET)
  t.teardown(() => app.close())
  const denied = await app.inject('/me')
  t.equal(denied.statusCode, 401)
  t.equal(denied.json().code, 'FST_SESSION_UNAUTHORIZED')
  const wrong = await app.inject({ method: 'POST', url: '/login', payload: { username: 'alice', password: 'nope' } })
  t.equal(wrong.statusCode, 401)
  t.notOk(wrong.headers['set-cookie'])
  const login = await app.inject({ method: 'POST', url: '/login', payload: { username: 'alice', password: 'password' } })
  t.same(login.json(), { user: 'alice', role: 'user' })
  const cookie = cookiePair(login) as string
  t.same((await app.inject({ url: '/me', headers: { cookie } })).json(), { user: 'alice', role: 'user' })
  const logout = await app.inject({ method: 'POST', url: '/logout', headers: { cookie } })
  t.match(logout.headers['set-cookie'], /^sid=;.*Max-Age=0/)
  t.equal((await app.inject({ url: '/me', headers: { cookie: cookiePair(logout) as string } })).statusCode, 401)
})
