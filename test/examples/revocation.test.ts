import t from 'tap'
import { build } from '../../examples/revocation.js'
import { cookiePair, SECRET, sessionSetCookie } from '../helpers/index.js'

t.test('examples/revocation.ts: validate makes a revoked cookie-store session anonymous', async (t) => {
  const app = await build(SECRET)
  t.teardown(() => app.close())
  const login = async (user: string): Promise<string> => cookiePair(await app.inject({ method: 'POST', url: `/login/${user}` })) as string
  const me = async (cookie: string): Promise<unknown> => (await app.inject({ url: '/me', headers: { cookie } })).json().user

  t.test('a copy of the cookie taken before logout is dead after it (deny-list)', async (t) => {
    const cookie = await login('alice')
    t.equal(await me(cookie), 'alice')
    await app.inject({ method: 'POST', url: '/logout', headers: { cookie } })
    const replay = await app.inject({ url: '/me', headers: { cookie } })
    t.same(replay.json(), { user: null }, 'the copied cookie is anonymous')
    t.match(sessionSetCookie(replay), /^sid=;.*Max-Age=0/, 'and cleared')
    t.equal(await me(await login('alice')), 'alice', 'a new login works')
  })

  t.test('log out everywhere ends every session of the user that logged in before it, and only those', async (t) => {
    const laptop = await login('carol')
    const phone = await login('carol')
    const other = await login('dave')
    const out = await app.inject({ method: 'POST', url: '/logout-everywhere', headers: { cookie: laptop } })
    t.same(out.json(), { loggedOut: 'everywhere' })
    t.equal(await me(phone), null, 'the other device is logged out')
    t.equal(await me(laptop), null, 'and this one')
    t.equal(await me(other), 'dave', "another user's session is untouched")
    const again = await login('carol')
    t.equal(await me(again), 'carol', 'a login after the cut, even in the same millisecond, works')
  })

  t.test('log out everywhere needs a login', async (t) => {
    t.equal((await app.inject({ method: 'POST', url: '/logout-everywhere' })).statusCode, 401)
  })
})
