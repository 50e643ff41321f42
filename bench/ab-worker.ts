/**
 * One side of `npm run bench -- ab`, in a process of its own: the build at AB_DIST (a dist/lib folder),
 * the benchmark's sessions (DATA; SESSIONS=many cycles through 1 000) loaded from their cookies and used by AB_CASE's route through the
 * plugin's own onRequest and onSend (bench/harness.ts), AB_REQUESTS requests per measurement; prints
 * the median CPU µs per request of AB_MEASURES measurements after a warm-up.
 */
import { USER, SEEDED_COUNTER, SESSION_COUNT, WITH_USER } from './cases.js'
import { harness } from './harness.js'
import type { Session } from '../lib/session.js'

type Untyped = Session & { get (key: string): unknown, set (key: string, value: unknown): void }
const dist = process.env.AB_DIST as string
const [store, mode, shape] = (process.env.AB_CASE as string).split(':') as ['cookie' | 'memory', 'rw' | 'ro', 'scalar' | 'user']
const requests = Number(process.env.AB_REQUESTS ?? 20_000)
const measures = Number(process.env.AB_MEASURES ?? 7)

const h = await harness(store, dist)
// SESSIONS=many: 1 000 sessions, the requests cycling through them (DATA as in the HTTP part).
const cookies: string[] = []
for (let i = 0; i < SESSION_COUNT; i++) {
  await h.serve(undefined, (s) => {
    if (WITH_USER) (s as Untyped).set('user', USER)
    ;(s as Untyped).set('counter', SEEDED_COUNTER)
  })
  cookies.push(h.lastSetCookie().split(';')[0] as string)
}
const handle = (s: Session): void => {
  const session = s as Untyped
  const counter = session.get('counter') as number
  if (mode === 'rw') session.set('counter', counter + 1)
  if (shape === 'user') session.get('user')
}

async function cpuPerRequest (): Promise<number> {
  const start = process.cpuUsage()
  for (let i = 0; i < requests; i++) {
    const pending = h.serve(cookies[i % cookies.length] as string, handle)
    if (pending !== undefined) await pending
  }
  const used = process.cpuUsage(start)
  return (used.user + used.system) / requests
}

for (let i = 0; i < 5; i++) await cpuPerRequest()
const results: number[] = []
for (let i = 0; i < measures; i++) results.push(await cpuPerRequest())
h.close()
console.log((results.sort((a, b) => a - b)[Math.floor(measures / 2)] as number).toFixed(3))
