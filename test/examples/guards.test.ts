import t from 'tap'
import { build } from '../../examples/guards.js'
import { cookiePair, SECRET } from '../helpers/index.js'

t.test('examples/guards.ts: 401 and redirect without login, 403 for the wrong role, 200 with it', async (t) => {
  const app = await build(SECRET)
  t.teardown(() => app.close())
  t.equal((await app.inject('/admin')).statusCode, 401)
  t.equal((await app.inject('/staff')).statusCode, 401)
  const redirect = await app.inject({ url: '/profile', headers: { accept: 'text/html' } })
  t.equal(redirect.statusCode, 303)
  t.equal(redirect.headers.location, '/login?next=%2Fprofile')
  t.equal((await app.inject({ method: 'POST', url: '/login/root' })).statusCode, 400)

  const user = cookiePair(await app.inject({ method: 'POST', url: '/login/user' })) as string
  const forbidden = await app.inject({ url: '/admin', headers: { cookie: user } })
  t.equal(forbidden.statusCode, 403)
  t.equal(forbidden.json().code, 'FST_SESSION_FORBIDDEN')
  t.same((await app.inject({ url: '/staff', headers: { cookie: user } })).json(), { role: 'user' })
  t.same((await app.inject({ url: '/profile', headers: { cookie: user } })).json(), { user: 'someone' })

  const admin = cookiePair(await app.inject({ method: 'POST', url: '/login/admin' })) as string
  t.same((await app.inject({ url: '/admin', headers: { cookie: admin } })).json(), { admin: true })
})
