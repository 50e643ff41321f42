// An app's own auth check that answers by itself: from onRequest (registered before the plugin's
// hook, or after it) or from a preHandler. Before ours, the request never had a session, so nothing
// is written; after ours, the reply still passes through onSend and what the session owes is written:
// a message set for the login page, in a new session that replaces a stale cookie.
import type { FastifyReply, FastifyRequest } from 'fastify'
import Fastify from 'fastify'
import t from 'tap'
import fastifySession, { type FastifySessionOptions } from '../../lib/index.js'
import { SECRET, loose } from '../helpers/index.js'
import { BrowserJar, listen } from '../helpers/http.js'
import { everyStore } from '../helpers/plugin-stores.js'

async function deny (request: FastifyRequest, reply: FastifyReply, where: string): Promise<FastifyReply | undefined> {
  if (request.headers['x-deny'] !== where) return undefined
  // request.session is null when this hook runs before the plugin's.
  if (request.session !== null) loose(request).set('flash', `denied in ${where}`)
  return await reply.code(401).send({ denied: where })
}

everyStore(t, 'a reply sent early by the app\'s own hooks persists what it should', async (t, store) => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.addHook('onRequest', async (request, reply) => await deny(request, reply, 'before'))
  await app.register(fastifySession, { secret: SECRET, store } as FastifySessionOptions)
  app.addHook('onRequest', async (request, reply) => await deny(request, reply, 'after'))
  app.addHook('preHandler', async (request, reply) => await deny(request, reply, 'preHandler'))
  app.get('/flash', async (request) => ({ flash: loose(request).get('flash') ?? null }))
  const base = await listen(app)

  const before = await fetch(`${base}/flash`, { headers: { 'x-deny': 'before', cookie: 'sid=stale' } })
  t.equal(before.status, 401)
  t.same(before.headers.getSetCookie(), [], 'no session yet: nothing written, not even a clear')

  for (const where of ['after', 'preHandler']) {
    const jar = new BrowserJar()
    const denied = await jar.fetch(`${base}/flash`, { headers: { 'x-deny': where } })
    t.equal(denied.status, 401)
    t.same(await (await jar.fetch(`${base}/flash`)).json(), { flash: `denied in ${where}` }, `a message set in ${where} survives its 401`)
    const stale = await fetch(`${base}/flash`, { headers: { 'x-deny': where, cookie: 'sid=stale' } })
    t.match(stale.headers.getSetCookie(), [/^sid=(?!stale)[\w-]+; Max-Age=[1-9]/], `a stale cookie is replaced on a 401 from ${where}`)
  }
})
