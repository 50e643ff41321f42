// A WebSocket behind a login, with @fastify/websocket on a memory store: the upgrade request carries
// the session cookie, `requireLogin()` refuses it with 401 before any socket exists, and each message
// re-reads the session with `reload()`, so a logout in another tab closes the socket. Run:
// `npx tsx examples/websocket.ts`, then open http://127.0.0.1:3000 in two tabs: log in, open the socket
// and send in one, log out in the other, send again. Or the upgrade alone with curl:
//   curl -i -c jar -b jar -X POST localhost:3000/login/alice
//   curl -i -m 2 -b jar -H 'connection: upgrade' -H 'upgrade: websocket' -H 'sec-websocket-version: 13' \
//     -H 'sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==' localhost:3000/live     # 101; without -b jar, 401
import { realpathSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import fastifyWebsocket from '@fastify/websocket'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifySession, { generateSecret, MemoryStore, requireLogin } from 'fastify-session-kit'

declare module 'fastify-session-kit' {
  interface SessionData {
    userId: string
  }
}

/** The close code the socket ends with when its session logged out: 4000-4999 are the app's own. */
export const LOGGED_OUT = 4401

const PAGE = `<!doctype html><meta charset="utf-8"><title>WebSocket with a session</title>
<button id="login">Log in as alice</button> <button id="logout">Log out</button>
<button id="open">Open the socket</button> <button id="send">Send "hello"</button>
<pre id="log"></pre>
<script>
const log = (line) => { document.getElementById('log').textContent += line + '\\n' }
let socket
document.getElementById('login').onclick = async () => log('login: ' + (await fetch('/login/alice', { method: 'POST' })).status)
document.getElementById('logout').onclick = async () => log('logout: ' + (await fetch('/logout', { method: 'POST' })).status)
document.getElementById('open').onclick = () => {
  socket = new WebSocket('ws://' + location.host + '/live')
  socket.onopen = () => log('socket open')
  socket.onmessage = (event) => log('server: ' + event.data)
  socket.onclose = (event) => log('socket closed: ' + event.code + ' ' + event.reason)
}
document.getElementById('send').onclick = () => socket?.send('hello')
</script>`

/** The app, not listening. */
export async function build (secret = process.env.SESSION_SECRET ?? generateSecret()): Promise<FastifyInstance> {
  const app = Fastify()
  await app.register(fastifyWebsocket)
  // A server store: logout deletes the record, which a socket's reload() then finds gone. (On the
  // cookie store, reload() re-reads the cookie the upgrade came with: only `validate` can revoke it.)
  await app.register(fastifySession, { secret, store: new MemoryStore() })

  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE))

  app.post<{ Params: { user: string } }>('/login/:user', async (request) => {
    // A demo login: no password (see examples/login.ts for a real one).
    await request.session.regenerate()
    request.session.set('userId', request.params.user)
    return { user: request.params.user }
  })

  app.post('/logout', async (request) => {
    await request.session.destroy()
    return { loggedOut: true }
  })

  app.get('/live', { websocket: true, preHandler: requireLogin() }, (socket, request) => {
    socket.on('message', async (message: Buffer) => {
      // The session was loaded once, at the upgrade; reload() asks the store again. A store that is
      // down rejects: end the socket rather than leave the rejection unhandled (it would end the process).
      try {
        await request.session.reload()
      } catch (err) {
        request.log.warn({ err }, 'session reload failed')
        socket.close(1011, 'session unavailable')
        return
      }
      const user = request.session.get('userId')
      if (user === undefined) {
        socket.close(LOGGED_OUT, 'logged out')
        return
      }
      socket.send(`${user}: ${message.toString()}`)
    })
  })
  return app
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const app = await build()
  await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' })
  console.log(`listening on http://${process.env.HOST ?? '127.0.0.1'}:${process.env.PORT ?? 3000}`)
}
