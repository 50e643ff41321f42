// A long-lived WebSocket on one session: reload() never shows the session empty while it reads, two
// reloads close together leave the session as it is stored, a change made while a reload runs is
// kept, and touch() + save() on the socket extends the session on the server. Real HTTP, a real
// `ws` client, every store it applies to.
import fastifyWebsocket from '@fastify/websocket'
import Fastify from 'fastify'
import t, { type Test } from 'tap'
import fastifySession, { CookieStore, type FastifySessionOptions, type SessionStore } from '../../lib/index.js'
import { fakeClock, loose, SECRET } from '../helpers/index.js'
import { BrowserJar, listen } from '../helpers/http.js'
import { everyServerStore, SERVER_STORES } from '../helpers/server-stores.js'
import { ask, closeSocket, openSocket } from '../helpers/ws-client.js'
import type WebSocket from 'ws'

t.setTimeout(180_000)

async function serve (t: Test, store: SessionStore | CookieStore, options: Partial<FastifySessionOptions> = {}): Promise<string> {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyWebsocket)
  await app.register(fastifySession, { secret: SECRET, store, ...options } as FastifySessionOptions)
  app.get('/login', async (request) => {
    await request.session.regenerate()
    loose(request).set('userId', 'alice')
    return { ok: true }
  })
  app.get('/me', async (request) => ({ user: loose(request).get('userId') ?? null }))
  app.get('/ws', { websocket: true }, (socket, request) => {
    const s = loose(request)
    socket.on('message', async (data: Buffer) => {
      const command = data.toString()
      if (command === 'two-reloads') {
        const first = request.session.reload()
        const during = s.get('userId') ?? null
        const second = request.session.reload()
        const between = s.get('userId') ?? null
        await Promise.all([first, second])
        socket.send(JSON.stringify({ during, between, after: s.get('userId') ?? null }))
      } else if (command === 'set-during-reload') {
        const reloading = request.session.reload()
        s.set('k', 1)
        await reloading
        socket.send(JSON.stringify({ user: s.get('userId') ?? null, k: s.get('k') ?? null }))
      } else if (command === 'delete-during-reload') {
        const reloading = request.session.reload()
        s.delete('userId')
        await reloading
        socket.send(JSON.stringify({ user: s.get('userId') ?? null }))
      } else if (command === 'clear-during-reload') {
        const reloading = request.session.reload()
        request.session.clear()
        s.set('after', 1)
        await reloading
        socket.send(JSON.stringify(request.session.data()))
      } else if (command === 'touch-save') {
        request.session.touch()
        await request.session.save()
        socket.send('saved')
      }
    })
  })
  return await listen(app)
}

async function socketFor (t: Test, url: string, jar: BrowserJar): Promise<WebSocket> {
  const opened = await openSocket(`${url.replace('http', 'ws')}/ws`, jar.header())
  const socket = opened.socket as WebSocket
  t.teardown(() => closeSocket(socket))
  return socket
}

const RELOADING: Array<readonly [string, (t: Test) => Promise<SessionStore | CookieStore>, () => false | string, Partial<FastifySessionOptions>]> = [
  // The cookie store's reload awaits only the validate hook: give it one that takes a turn.
  ['cookie (with an async validate)', async () => new CookieStore(), () => false, { validate: async () => await new Promise((resolve) => setImmediate(() => resolve(true))) }],
  ...SERVER_STORES.map(([name, make, skip]) => [name, make, skip, {}] as const)
]

for (const [name, make, skip, options] of RELOADING) {
  t.test(`${name}: reload() on a socket`, { skip: skip() }, async (t) => {
    const url = await serve(t, await make(t), options)
    const jar = new BrowserJar()
    await jar.fetch(`${url}/login`)
    const socket = await socketFor(t, url, jar)
    t.same(JSON.parse(await ask(socket, 'two-reloads')), { during: 'alice', between: 'alice', after: 'alice' },
      'never anonymous while two reloads run, nor after')
    t.same(JSON.parse(await ask(socket, 'set-during-reload')), { user: 'alice', k: 1 }, 'a change made while it ran is kept')
    t.same(JSON.parse(await ask(socket, 'delete-during-reload')), { user: null }, 'so is a delete')
    t.same(JSON.parse(await ask(socket, 'clear-during-reload')), { after: 1 }, 'and a clear() with what came after it')
  })
}

t.test('touch() + save() on a socket extends the session on the server', async (t) => {
  everyServerStore(t, 'idle timeout counted from the socket\'s touch', async (t, { store }) => {
    const clock = fakeClock(t)
    const url = await serve(t, store, { ttl: 10 })
    const jar = new BrowserJar()
    await jar.fetch(`${url}/login`)
    const cookie = jar.header() as string
    const socket = await socketFor(t, url, jar)
    clock.tick(8000)
    t.equal(await ask(socket, 'touch-save'), 'saved')
    clock.tick(5000)
    const res = await fetch(`${url}/me`, { headers: { cookie } })
    t.same(await res.json(), { user: 'alice' }, '13 s after login, 5 s after the touch: alive')
    clock.tick(10_000)
    const late = await fetch(`${url}/me`, { headers: { cookie } })
    t.same(await late.json(), { user: null }, 'and idle-expired 10 s after it')
  })
})
