import Fastify, { type FastifyInstance } from 'fastify'

/** Every app a docs example made; the docs test closes them after the example ran. */
export const made: FastifyInstance[] = []

/**
 * Fastify as the runnable docs examples get it (their `import Fastify from 'fastify'` is pointed
 * here): quiet, and `listen()` takes a free local port whatever port the example names, so an
 * example can end with `app.listen({ port: 3000 })` as a real app does. Runnable examples take only
 * the default export (and types) from 'fastify'.
 */
export default function docsFastify (options: Record<string, unknown> = {}): FastifyInstance {
  const app = Fastify({ ...options, logger: false })
  const listen = app.listen.bind(app)
  app.listen = (async (opts: Record<string, unknown> = {}) => await listen({ ...opts, port: 0, host: '127.0.0.1' })) as FastifyInstance['listen']
  made.push(app)
  return app
}
