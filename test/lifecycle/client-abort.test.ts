// A client that goes away while the handler is still working on a changed session is no unsaved
// change: the response has not been sent, and the handler's reply still goes through onSend. The
// "never saved" warning is for replies sent without onSend (hijacked, raw), not for this.
import { request as httpRequest } from 'node:http'
import t from 'tap'
import { build, captureLogs, loose } from '../helpers/index.js'
import { listen } from '../helpers/http.js'

t.test('a client aborting while the handler works on a changed session logs no "never saved" warning', async (t) => {
  const logs = captureLogs('warn')
  let started!: () => void
  const handlerStarted = new Promise<void>((resolve) => { started = resolve })
  let finished!: () => void
  const handlerFinished = new Promise<void>((resolve) => { finished = resolve })
  const app = await build(t, {}, (app) => {
    app.get('/slow', async (request, reply) => {
      loose(request).set('n', 1)
      // The change is watched from here on; the client leaves before the handler replies.
      const gone = new Promise((resolve) => reply.raw.once('close', resolve))
      started()
      await gone
      setImmediate(finished)
      return { ok: true }
    })
  }, logs.options)
  const base = await listen(app)

  const req = httpRequest(`${base}/slow`)
  req.on('error', () => {})
  req.end()
  await handlerStarted
  req.destroy()
  await handlerFinished
  // Let the handler's reply, and any close listener, run to the end.
  await new Promise((resolve) => setTimeout(resolve, 50))

  const warnings = logs.lines.filter((l) => String(l.msg).includes('never saved'))
  t.same(warnings, [], 'no warning: nothing was sent without onSend')
})
