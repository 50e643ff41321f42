// Streamed payloads and server-sent events still pass through onSend before the first byte: the
// session is persisted and its cookie goes out with the headers, over real HTTP.
import { Readable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { build, loose } from '../helpers/index.js'
import { BrowserJar, listen } from '../helpers/http.js'
import { everyStore } from '../helpers/plugin-stores.js'

function routes (app: FastifyInstance): void {
  app.get('/data', async (request) => ({ n: loose(request).get('n') ?? null, saved: loose(request).get('saved') ?? null }))
  app.get('/stream', async (request, reply) => {
    loose(request).set('n', 1)
    return await reply.type('text/plain').send(Readable.from(['one ', 'two ', 'three']))
  })
  app.get('/events', async (request, reply) => {
    // Saved before the stream starts, as a long-lived stream would; onSend adds the later change.
    loose(request).set('saved', true)
    await request.session.save()
    loose(request).set('n', 2)
    async function * events (): AsyncGenerator<string> {
      for (let i = 0; i < 3; i++) {
        yield `event: tick\ndata: ${i}\n\n`
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
    }
    return await reply.header('cache-control', 'no-cache').type('text/event-stream').send(Readable.from(events()))
  })
}

everyStore(t, 'streamed replies and server-sent events carry the session cookie', async (t, store) => {
  const app = await build(t, { store }, routes)
  const base = await listen(app)

  const jar = new BrowserJar()
  const stream = await jar.fetch(`${base}/stream`)
  t.equal(stream.headers.getSetCookie().filter((c) => c.startsWith('sid=')).length, 1)
  t.equal(await stream.text(), 'one two three')
  t.same(await (await jar.fetch(`${base}/data`)).json(), { n: 1, saved: null })

  const sse = new BrowserJar()
  const events = await sse.fetch(`${base}/events`, { headers: { accept: 'text/event-stream' } })
  t.match(events.headers.get('content-type'), /^text\/event-stream/)
  t.equal(events.headers.getSetCookie().filter((c) => c.startsWith('sid=')).length, 1, 'one cookie: the save() and onSend did not double it')
  t.equal((await events.text()).split('event: tick').length - 1, 3)
  t.same(await (await sse.fetch(`${base}/data`)).json(), { n: 2, saved: true })
})
