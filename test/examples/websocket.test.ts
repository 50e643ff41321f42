import t from 'tap'
import type WebSocket from 'ws'
import { build, LOGGED_OUT } from '../../examples/websocket.js'
import { SECRET } from '../helpers/index.js'
import { listen } from '../helpers/http.js'
import { ask, closeSocket, openSocket } from '../helpers/ws-client.js'

async function closed (socket: WebSocket): Promise<{ code: number, reason: string }> {
  return await new Promise((resolve) => socket.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })))
}

t.test('examples/websocket.ts: the upgrade needs a login, and a logout elsewhere closes the socket', async (t) => {
  const app = await build(SECRET)
  t.teardown(() => app.close())
  const base = await listen(app)
  const live = `${base.replace('http', 'ws')}/live`

  t.equal((await openSocket(live, undefined)).status, 401, 'no cookie: the upgrade is refused')

  const login = await fetch(`${base}/login/alice`, { method: 'POST' })
  const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] as string
  t.match(cookie, /^sid=./)
  const opened = await openSocket(live, cookie)
  t.ok(opened.socket, 'logged in: the upgrade is accepted')
  const socket = opened.socket as WebSocket
  t.teardown(() => closeSocket(socket))
  t.equal(await ask(socket, 'hello'), 'alice: hello')

  // Another tab of the same browser logs out over HTTP, with the same cookie.
  const logout = await fetch(`${base}/logout`, { method: 'POST', headers: { cookie } })
  t.equal(logout.status, 200)
  const end = closed(socket)
  socket.send('still there?')
  t.same(await end, { code: LOGGED_OUT, reason: 'logged out' }, 'the next message finds the session gone and closes')
  t.equal((await openSocket(live, cookie)).status, 401, 'and the old cookie cannot open a new socket')
})
