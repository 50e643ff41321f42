import t from 'tap'
import { build } from '../../examples/passport.js'
import { cookiePair, SECRET } from '../helpers/index.js'

const json = { 'content-type': 'application/json' }

t.test('examples/passport.ts: login sets the user in a new session, logout ends it', async (t) => {
  const app = await build(SECRET)
  t.teardown(() => app.close())
  const guest = cookiePair(await app.inject({ method: 'POST', url: '/theme/dark' })) as string
  t.same((await app.inject({ url: '/me', headers: { cookie: guest } })).json(), { user: null, theme: 'dark' })

  const wrong = await app.inject({ method: 'POST', url: '/login', headers: { ...json, cookie: guest }, payload: { username: 'alice', password: 'nope' } })
  t.equal(wrong.statusCode, 401)
  const unknown = await app.inject({ method: 'POST', url: '/login', headers: { ...json, cookie: guest }, payload: { username: 'bob', password: 'password' } })
  t.equal(unknown.statusCode, 401)

  const login = await app.inject({ method: 'POST', url: '/login', headers: { ...json, cookie: guest }, payload: { username: 'alice', password: 'password' } })
  t.equal(login.statusCode, 200)
  t.same(login.json(), { user: { id: 'u1', name: 'alice' } })
  const user = cookiePair(login) as string
  t.ok(user)
  t.not(user, guest, 'login gave the session a new id')
  t.same((await app.inject({ url: '/me', headers: { cookie: user } })).json(), { user: { id: 'u1', name: 'alice' }, theme: 'dark' },
    'the user is in the session, and the theme came along (clearSessionIgnoreFields)')
  t.same((await app.inject({ url: '/me', headers: { cookie: guest } })).json(), { user: null, theme: 'light' },
    'the pre-login id is gone from the store: replaying it is a new guest')

  const logout = await app.inject({ method: 'POST', url: '/logout', headers: { cookie: user } })
  t.same(logout.json(), { user: null })
  const after = cookiePair(logout) as string
  t.not(after, user, 'logout gave the session a new id too')
  t.same((await app.inject({ url: '/me', headers: { cookie: after } })).json().user, null)
  t.same((await app.inject({ url: '/me', headers: { cookie: user } })).json().user, null, 'a copy of the logged-in cookie is worthless')
})
