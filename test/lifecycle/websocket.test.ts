// WebSockets with the real @fastify/websocket and a real `ws` client against a listening server.
// The session comes from the upgrade request; guards refuse the upgrade with its HTTP status before
// a socket exists; a server store saves in place (no cookie can go out on an open socket, so the id
// stays), the cookie store refuses with FST_SESSION_COOKIE_UNSENDABLE; reload() notices a logout,
// a revokeUser or a `validate` revocation made elsewhere.
import fastifyWebsocket from '@fastify/websocket'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { requireAdmin, requireLogin, type Session } from '../../lib/index.js'
import { build, captureLogs, eventually, fakeClock, loginRoutes, loose, type LooseSession, errorCode } from '../helpers/index.js'
import { BrowserJar, listen } from '../helpers/http.js'
import { everyStore } from '../helpers/plugin-stores.js'
import { ask, closeSocket, openSocket } from '../helpers/ws-client.js'

function routes (revoked: Set<string>, ran: string[]) {
  return async function (app: FastifyInstance): Promise<void> {
    await app.register(fastifyWebsocket)
    loginRoutes(app)
    app.get('/login-admin', async (request) => {
      await request.session.regenerate()
      loose(request).set('userId', 'root')
      loose(request).set('role', 'admin')
      return { ok: true }
    })
    app.get('/data', async (request) => ({ n: loose(request).get('n') ?? null, user: loose(request).get('userId') ?? null }))
    app.get('/ws', { websocket: true }, (socket, request) => {
      ran.push('ws')
      socket.on('message', async (data: Buffer) => {
        const [command = '', arg] = data.toString().split(':')
        const s = loose(request)
        if (command === 'whoami') {
          socket.send(String(s.get('userId') ?? null))
        } else if (command === 'reload') {
          socket.send(await errorCode(async () => { await request.session.reload() }))
        } else if (command === 'set') {
          s.set('n', Number(arg))
          socket.send('ok')
        } else if (command === 'save') {
          socket.send(await errorCode(async () => { await request.session.save() }))
        } else if (command === 'regenerate') {
          socket.send(await errorCode(async () => { await request.session.regenerate(true) }))
        } else if (command === 'destroy') {
          socket.send(await errorCode(async () => { await request.session.destroy() }))
        }
      })
    })
    app.get('/ws-private', { websocket: true, preHandler: requireLogin() }, (socket) => {
      ran.push('private')
      socket.send('welcome')
    })
    app.get('/ws-admin', { websocket: true, preHandler: requireAdmin() }, (socket) => {
      ran.push('admin')
      socket.send('welcome')
    })
    app.post('/revoke/:user', async (request) => {
      const { user } = request.params as { user: string }
      revoked.add(user)
      const ended = await app.session.revokeUser(user).catch(() => 0)
      return { ended }
    })
  }
}

everyStore(t, 'WebSockets: the session of the upgrade, guards, save() in place, reload()', async (t, store, name) => {
  const server = name !== 'cookie store'
  const revoked = new Set<string>()
  const ran: string[] = []
  const logs = captureLogs('warn')
  // The cookie store cannot forget a cookie by itself: revocation goes through `validate`.
  const validate = (session: Session): boolean => !revoked.has(String((session as unknown as LooseSession).get('userId')))
  const app = await build(t, { store, validate }, routes(revoked, ran), logs.options)
  const base = await listen(app)
  const ws = base.replace('http:', 'ws:')
  const jar = new BrowserJar()

  await t.test('guards refuse the upgrade with 401/403, before the handler or a socket', async (t) => {
    t.same(await openSocket(`${ws}/ws-private`, undefined), { status: 401 })
    t.same(await openSocket(`${ws}/ws-admin`, undefined), { status: 401 })
    await jar.fetch(`${base}/login`)
    t.same(await openSocket(`${ws}/ws-admin`, jar.header()), { status: 403 })
    t.same(ran, [], 'no handler ran')
    const admin = new BrowserJar()
    await admin.fetch(`${base}/login-admin`)
    const opened = await openSocket(`${ws}/ws-admin`, admin.header())
    t.ok(opened.socket)
    t.same(ran, ['admin'])
    await closeSocket(opened.socket!)
  })

  await t.test('the handler reads the session of the upgrade request', async (t) => {
    const { socket } = await openSocket(`${ws}/ws`, jar.header())
    t.equal(await ask(socket!, 'whoami'), 'alice')
    await closeSocket(socket!)
    const anonymous = await openSocket(`${ws}/ws`, undefined)
    t.equal(await ask(anonymous.socket!, 'whoami'), 'null')
    await closeSocket(anonymous.socket!)
  })

  await t.test('save() on the socket: in place on a server store, refused by the cookie store; regenerate() refused', async (t) => {
    const cookie = jar.get('sid')
    const { socket } = await openSocket(`${ws}/ws`, jar.header())
    await ask(socket!, 'set:42')
    t.equal(await ask(socket!, 'save'), server ? 'ok' : 'FST_SESSION_COOKIE_UNSENDABLE')
    t.equal(await ask(socket!, 'regenerate'), 'FST_SESSION_COOKIE_UNSENDABLE')
    await closeSocket(socket!)
    const data = await jar.fetch(`${base}/data`)
    t.same(await data.json(), { n: server ? 42 : null, user: 'alice' }, 'the same id, now with the saved data')
    t.equal(jar.get('sid'), cookie, 'the browser\'s cookie never changed')
    const fresh = await openSocket(`${ws}/ws`, undefined)
    await ask(fresh.socket!, 'set:1')
    t.equal(await ask(fresh.socket!, 'save'), 'FST_SESSION_COOKIE_UNSENDABLE', 'a session the browser has no id for cannot be saved')
    await closeSocket(fresh.socket!)
  })

  await t.test('an unsaved change on a socket: one warning naming the route when it closes', async (t) => {
    const before = logs.lines.length
    const { socket } = await openSocket(`${ws}/ws`, jar.header())
    await ask(socket!, 'set:7')
    await closeSocket(socket!)
    const warned = (): unknown[] => logs.lines.slice(before).filter((l) => String(l.msg).includes('never saved')).map((l) => l.route)
    await eventually(() => warned().length > 0)
    t.same(warned(), ['GET /ws'])
  })

  await t.test('reload() notices a logout or a revocation made elsewhere', async (t) => {
    const { socket } = await openSocket(`${ws}/ws`, jar.header())
    t.equal(await ask(socket!, 'reload'), 'ok')
    t.equal(await ask(socket!, 'whoami'), 'alice', 'still logged in after a reload')
    await ask(socket!, 'set:99')
    t.equal(await ask(socket!, 'reload'), 'ok')
    t.same(await (await jar.fetch(`${base}/data`)).json(), { n: server ? 42 : null, user: 'alice' }, 'reload dropped the unsaved change')
    if (server) {
      await fetch(`${base}/logout`, { headers: { cookie: jar.header() as string } })
    } else {
      await fetch(`${base}/revoke/alice`, { method: 'POST' })
    }
    t.equal(await ask(socket!, 'whoami'), 'alice', 'not noticed until reloaded')
    t.equal(await ask(socket!, 'reload'), 'ok')
    t.equal(await ask(socket!, 'whoami'), 'null', 'anonymous after the reload')
    t.equal(await ask(socket!, 'destroy'), server ? 'ok' : 'FST_SESSION_COOKIE_UNSENDABLE')
    await closeSocket(socket!)

    if (server) {
      const other = new BrowserJar()
      await other.fetch(`${base}/login`)
      const opened = await openSocket(`${ws}/ws`, other.header())
      t.equal(await ask(opened.socket!, 'whoami'), 'alice')
      t.same(await (await fetch(`${base}/revoke/alice`, { method: 'POST' })).json(), { ended: 1 })
      t.equal(await ask(opened.socket!, 'reload'), 'ok')
      t.equal(await ask(opened.socket!, 'whoami'), 'null', 'app.session.revokeUser() is noticed too')
      await closeSocket(opened.socket!)
    }
  })
})

everyStore(t, 'WebSockets: a renewal due on a socket waits for the next HTTP response', async (t, store, name) => {
  const clock = fakeClock(t)
  const app = await build(t, { store, renewAfter: 60 }, routes(new Set(), []))
  const base = await listen(app)
  const jar = new BrowserJar()
  await jar.fetch(`${base}/login`)
  const before = jar.get('sid')
  clock.tick(61_000)
  const { socket } = await openSocket(`${base.replace('http:', 'ws:')}/ws`, jar.header())
  await ask(socket!, 'set:5')
  t.equal(await ask(socket!, 'save'), name === 'cookie store' ? 'FST_SESSION_COOKIE_UNSENDABLE' : 'ok')
  await closeSocket(socket!)
  const res = await jar.fetch(`${base}/data`)
  t.same(await res.json(), { n: name === 'cookie store' ? null : 5, user: 'alice' }, 'the id the browser holds still works')
  t.not(jar.get('sid'), before, 'and the renewal happened on that HTTP response')
})

everyStore(t, 'WebSockets: a session that expired while the socket was open cannot be saved', async (t, store, name) => {
  const clock = fakeClock(t)
  const app = await build(t, { store, ttl: 60 }, routes(new Set(), []))
  const base = await listen(app)
  const jar = new BrowserJar()
  await jar.fetch(`${base}/login`)
  const { socket } = await openSocket(`${base.replace('http:', 'ws:')}/ws`, jar.header())
  clock.tick(60_000)
  await ask(socket!, 'set:5')
  t.equal(await ask(socket!, 'save'), 'FST_SESSION_COOKIE_UNSENDABLE')
  // A server store found the lifetime over and made the session anonymous; the cookie store refuses any save.
  t.equal(await ask(socket!, 'whoami'), name === 'cookie store' ? 'alice' : 'null')
  await closeSocket(socket!)
  t.same(await (await jar.fetch(`${base}/data`)).json(), { n: null, user: null }, 'expired over HTTP too')
})
