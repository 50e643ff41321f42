// The one-entry cache behind a session's methods (lib/session.ts) never keeps a request alive after
// its response: once the response is over and the event loop has turned, the last request and reply
// that called a session method can be garbage-collected, whether the reply went through onSend or was
// hijacked.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import t from 'tap'
import { build, loose } from '../helpers/index.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const turn = async (): Promise<void> => await new Promise((resolve) => setImmediate(resolve))

for (const [name, respond] of [
  ['a normal reply', async () => ({ ok: true })],
  ['a hijacked reply', async (_request: FastifyRequest, reply: FastifyReply) => {
    reply.hijack()
    reply.raw.end('{}')
  }]
] as const) {
  t.test(`the last request and reply that used a session are collectable after ${name}`, async (t) => {
    let requestRef: WeakRef<object> | undefined
    let replyRef: WeakRef<object> | undefined
    const app = await build(t, {}, (app) => {
      app.get('/read', async (request, reply) => {
        requestRef = new WeakRef(request)
        replyRef = new WeakRef(reply)
        // Reads only (a change would be watched until the response closes): the methods the cache serves.
        loose(request).get('n')
        loose(request).has('n')
        return await respond(request, reply)
      })
    })
    t.equal((await app.inject('/read')).statusCode, 200)
    await turn()
    await turn()
    gc()
    t.ok(requestRef !== undefined && replyRef !== undefined, 'the handler ran')
    t.ok(requestRef?.deref() === undefined, 'the request is gone')
    t.ok(replyRef?.deref() === undefined, 'the reply is gone')
  })
}
