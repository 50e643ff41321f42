/**
 * One benchmark server: `node bench/out/build/servers/server.js <setup>`, compiled from this file by
 * the orchestrator (a plain `node` process: no TypeScript loader in the measured process). It listens
 * on a free port on 127.0.0.1 and tells the orchestrator the port over IPC. Our plugin is loaded from
 * the built `dist/` (BENCH_KIT; KIT_A for `@A` setups): what users run, never the TypeScript sources.
 */
import Fastify from 'fastify'
import { SEEDED_COUNTER, SHAPES, USER, routeOf } from '../cases.js'
import { setup } from './setups.js'

const PAYLOAD = { user: USER, counter: SEEDED_COUNTER }

async function main (): Promise<void> {
  const name = process.argv[2] ?? ''
  const app = Fastify({ logger: false })
  const port = process.env.BENCH_REDIS_PORT
  const access = await setup(app, name, {
    current: process.env.BENCH_KIT as string,
    a: process.env.KIT_A,
    redisPort: port === undefined ? undefined : Number(port),
    pgUrl: process.env.BENCH_PG_URL
  })
  app.get('/plain', async () => PAYLOAD)
  if (access !== undefined) {
    app.get('/seed', async (request) => {
      access.seed(request)
      return { ok: true }
    })
    for (const shape of SHAPES) {
      const withUser = shape === 'user'
      app.get(routeOf('read-write', shape), async (request) => access.increment(request, withUser))
      app.get(routeOf('read-only', shape), async (request) => access.read(request, withUser))
    }
  }
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 })
  // SIGTERM from the orchestrator: close cleanly so `--cpu-prof` gets written on exit.
  process.once('SIGTERM', () => {
    app.close().then(() => process.exit(0), () => process.exit(1))
  })
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
