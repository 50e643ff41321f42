import t from 'tap'
import { demo, BROWSER_ACCEPT } from '../helpers/demo-client.js'

// Real HTTP through fetch: the cookie attributes a browser sees and the form post over the wire.
t.test('over real HTTP: log in with the form, read the dashboard, log out', async (t) => {
  const app = await demo(t, 'cookie')
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  // The login form, as a browser loads it: its CSRF token, and the guest cookie holding the secret.
  const form = await fetch(`${base}/login`, { headers: { accept: BROWSER_ACCEPT } })
  const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] as string
  t.ok(token, 'the login form carries a CSRF token')
  const guestCookie = (form.headers.getSetCookie()[0] ?? '').split(';')[0] as string
  const login = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { accept: BROWSER_ACCEPT, 'content-type': 'application/x-www-form-urlencoded', cookie: guestCookie },
    body: new URLSearchParams({ username: 'alice', password: 'password', next: '/dashboard', _csrf: token }).toString()
  })
  t.equal(login.status, 303)
  t.equal(login.headers.get('location'), '/dashboard')
  const setCookie = login.headers.getSetCookie().find((c) => c.startsWith('sid='))
  t.match(setCookie, /; HttpOnly/i)
  t.match(setCookie, /; SameSite=Lax/i)
  t.match(setCookie, /; Path=\//)
  const cookie = (setCookie as string).split(';')[0] as string
  const page = await fetch(`${base}/dashboard`, { headers: { accept: BROWSER_ACCEPT, cookie } })
  t.equal(page.status, 200)
  const dashboard = await page.text()
  t.match(dashboard, /Signed in as <strong>alice<\/strong>/)
  // The first page after login made a new CSRF secret (login started a new session): its cookie.
  const current = (page.headers.getSetCookie().find((c) => c.startsWith('sid=')) ?? setCookie as string).split(';')[0] as string
  const logoutToken = /name="_csrf" value="([^"]+)"/.exec(dashboard)?.[1] as string
  const logout = await fetch(`${base}/logout`, {
    method: 'POST',
    redirect: 'manual',
    headers: { accept: BROWSER_ACCEPT, 'content-type': 'application/x-www-form-urlencoded', cookie: current },
    body: new URLSearchParams({ _csrf: logoutToken }).toString()
  })
  t.equal(logout.status, 303)
  const after = logout.headers.getSetCookie().filter((c) => c.startsWith('sid='))
  t.equal(after.length, 1, 'one session cookie: the logged-in one replaced by the flash message\'s guest session')
  const guest = (after[0] as string).split(';')[0] as string
  t.not(guest, cookie)
  const closed = await fetch(`${base}/dashboard`, { redirect: 'manual', headers: { accept: BROWSER_ACCEPT, cookie: guest } })
  t.equal(closed.status, 303)
})
