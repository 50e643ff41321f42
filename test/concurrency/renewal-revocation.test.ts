// Revocation sticks while a renewal or a key-rotation move is in flight: a slow request that is due
// for a new id (renewAfter) or a move to the current secret's hash must not bring back a session that
// a logout in another tab, or app.session.revokeUser(), ended while it ran. Real HTTP and a real
// WebSocket, on MemoryStore, Redis and PostgreSQL.
import fastifyWebsocket from '@fastify/websocket'
import Fastify, { type FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import fastifySession, { type FastifySessionOptions, type SessionStore } from '../../lib/index.js'
import { fakeClock, loose, OTHER_SECRET, SECRET } from '../helpers/index.js'
import { BrowserJar, listen } from '../helpers/http.js'
import { everyServerStore } from '../helpers/server-stores.js'
import { ask, closeSocket, openSocket } from '../helpers/ws-client.js'

/** A gate a slow handler waits at: `entered` once it is there, `open()` lets it go on. */
class Gate {
  entered!: Promise<void>
  #enter!: () => void
  #open!: () => void
  #opened!: Promise<void>
  constructor () { this.reset() }
  reset (): void {
    this.entered = new Promise((resolve) => { this.#enter = resolve })
    this.#opened = new Promise((resolve) => { this.#open = resolve })
  }

  async pass (): Promise<void> {
    this.#enter()
    await this.#opened
  }

  open (): void { this.#open() }
}

async function app (t: Test, store: SessionStore, gate: Gate, options: Partial<FastifySessionOptions> = { renewAfter: 1 }): Promise<{ app: FastifyInstance, url: string }> {
  const fastify = Fastify()
  t.teardown(() => fastify.close())
  await fastify.register(fastifyWebsocket)
  await fastify.register(fastifySession, { secret: SECRET, store, ...options } as FastifySessionOptions)
  fastify.get('/login', async (request) => {
    await request.session.regenerate()
    loose(request).set('userId', 'alice')
    return { ok: true }
  })
  fastify.get('/me', async (request) => ({ user: loose(request).get('userId') ?? null }))
  fastify.get('/note', async (request) => ({ note: loose(request).get('note') ?? null }))
  fastify.get('/logout', async (request) => {
    await request.session.destroy()
    return { ok: true }
  })
  fastify.get('/revoke', async () => ({ ended: await fastify.session.revokeUser('alice') }))
  fastify.get('/slow', async (request) => {
    await gate.pass()
    return { user: loose(request).get('userId') ?? null }
  })
  fastify.get('/slow-write', async (request) => {
    loose(request).set('note', 'written by a slow request')
    await gate.pass()
    return { ok: true }
  })
  fastify.get('/ws', { websocket: true }, (socket, request) => {
    socket.on('message', async (data: Buffer) => {
      if (data.toString() === 'save') {
        loose(request).set('note', 'from the socket')
        await request.session.save().catch(() => {})
        socket.send(String(loose(request).get('userId') ?? null))
      }
    })
  })
  await fastify.ready()
  return { app: fastify, url: await listen(fastify) }
}

/** An app on `store` with a logged-in tab whose session is due for renewal: its cookie before renewal. */
async function dueForRenewal (t: Test, store: SessionStore): Promise<{ url: string, tab: BrowserJar, old: string, gate: Gate, clock: ReturnType<typeof fakeClock> }> {
  const clock = fakeClock(t)
  const gate = new Gate()
  const { url } = await app(t, store, gate)
  const tab = new BrowserJar()
  await tab.fetch(`${url}/login`)
  const old = tab.header() as string
  t.equal(await me(url, old), 'alice', 'logged in')
  clock.tick(1300)
  return { url, tab, old, gate, clock }
}

/** Logged in under the old secret, then an app that runs with a new secret first: the old cookie. */
async function loggedInBeforeRotation (t: Test, store: SessionStore, gate: Gate): Promise<{ url: string, tab: BrowserJar, cookie: string }> {
  const before = await app(t, store, gate, { secret: OTHER_SECRET })
  const tab = new BrowserJar()
  await tab.fetch(`${before.url}/login`)
  const cookie = tab.header() as string
  const { url } = await app(t, store, gate, { secret: [SECRET, OTHER_SECRET] })
  return { url, tab, cookie }
}

// Three stores, two of them real servers started by this file: more than tap's default 30 s on a busy machine.
t.setTimeout(180_000)

async function me (url: string, cookie: string | undefined): Promise<unknown> {
  const res = await fetch(`${url}/me`, cookie === undefined ? {} : { headers: { cookie } })
  return ((await res.json()) as { user: unknown }).user
}

type Ending = 'logout in another tab' | 'revokeUser'
const ENDINGS: Ending[] = ['logout in another tab', 'revokeUser']

async function end (how: Ending, url: string, cookie: string): Promise<void> {
  const res = await fetch(`${url}/${how === 'revokeUser' ? 'revoke' : 'logout'}`, { headers: { cookie } })
  await res.arrayBuffer()
}

await t.test('a renewal in flight does not undo a logout or a revocation', async (t) => {
  for (const path of ['/slow', '/slow-write']) {
    for (const how of ENDINGS) {
      everyServerStore(t, `${path} vs ${how}`, async (t, { store }) => {
        const { url, tab, old, gate, clock } = await dueForRenewal(t, store)
        const slow = tab.fetch(`${url}${path}`)
        await gate.entered
        await end(how, url, old)
        gate.open()
        const res = await slow
        t.equal(res.status, 200, 'the slow request itself succeeds')
        const renewed = tab.header()
        t.equal(await me(url, old), null, 'the old cookie does not authenticate')
        t.equal(await me(url, renewed), null, 'nor does the cookie the slow request left')
        clock.tick(31_000)
        t.equal(await me(url, old), null, 'nor after the grace')
      })
    }
  }
})

await t.test('a key-rotation move in flight does not undo a logout or a revocation', async (t) => {
  for (const how of ENDINGS) {
    everyServerStore(t, how, async (t, { store }) => {
      const gate = new Gate()
      const { url, tab, cookie } = await loggedInBeforeRotation(t, store, gate)
      t.equal(await me(url, cookie), 'alice', 'found under the old secret')
      const slow = tab.fetch(`${url}/slow-write`)
      await gate.entered
      await end(how, url, cookie)
      gate.open()
      t.equal((await slow).status, 200)
      t.equal(await me(url, cookie), null, 'the id does not authenticate under either secret')
      t.equal(await me(url, tab.header()), null)
    })
  }
})

await t.test('a socket save() with a rotation move pending does not undo a revocation', async (t) => {
  everyServerStore(t, 'revokeUser, then save() on the socket', async (t, { store }) => {
    const { url, cookie } = await loggedInBeforeRotation(t, store, new Gate())
    const opened = await openSocket(`${url.replace('http', 'ws')}/ws`, cookie)
    const socket = opened.socket as NonNullable<typeof opened.socket>
    t.teardown(() => closeSocket(socket))
    await end('revokeUser', url, cookie)
    t.equal(await ask(socket, 'save'), 'null', 'the socket\'s session is anonymous after its save found it gone')
    t.equal(await me(url, cookie), null, 'the revoked id stays dead')
  })
})

await t.test('a renewal still works when nothing ends the session', async (t) => {
  everyServerStore(t, 'renewed id and grace copy', async (t, { store }) => {
    const { url, tab, old } = await dueForRenewal(t, store)
    await tab.fetch(`${url}/me`)
    const renewed = tab.header() as string
    t.not(renewed, old, 'a new id')
    t.equal(await me(url, renewed), 'alice')
    t.equal(await me(url, old), 'alice', 'the old id works within the grace')
    await end('logout in another tab', url, old)
    t.equal(await me(url, renewed), null, 'a logout through the old id ends the renewed one too')
  })
})

await t.test('a change made through the old id during the grace reaches the renewed session', async (t) => {
  everyServerStore(t, 'in-flight request with the old cookie', async (t, { store }) => {
    const { url, tab, old, gate } = await dueForRenewal(t, store)
    // A request that set off with the old cookie and writes after another one renewed the id.
    const slow = fetch(`${url}/slow-write`, { headers: { cookie: old } })
    await gate.entered
    await tab.fetch(`${url}/me`)
    const renewed = tab.header() as string
    t.not(renewed, old, 'renewed meanwhile')
    gate.open()
    t.equal((await slow).status, 200)
    const res = await fetch(`${url}/note`, { headers: { cookie: renewed } })
    t.same(await res.json(), { note: 'written by a slow request' }, 'the slow request\'s change is in the renewed session')
  })
})
