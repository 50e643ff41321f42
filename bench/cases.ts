/**
 * The cases of the side-by-side benchmark, shared by the orchestrator (bench/run.ts), the server
 * process (bench/servers/server.ts) and the hooks timing (bench/hooks.ts), so all agree on the
 * session, the routes and what each comparison pairs.
 */

/**
 * The user object of the benchmark session (issue 21's realistic shape: what an app keeps after a
 * login): an id, a name, an email, two roles and a CSRF token, ~150 bytes of JSON.
 */
export const USER = {
  id: 'u_7f3a9c21',
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  roles: ['user', 'editor'],
  csrf: 'Qm9vdHN0cmFwLWNzcmYtdG9rZW4tZm9yLWJlbmNobWFyaw'
}
/** The counter value the seeding request stores; read-only cases must read it back unchanged. */
export const SEEDED_COUNTER = 1000

/**
 * What every session holds (`DATA`): `user` (the default) is `{ user, counter }`, `counter` is
 * `{ counter }` alone, the session of the earlier rounds (then only the `scalar` route shape runs: there
 * is no user object to answer with).
 */
export type DataShape = 'user' | 'counter'
function dataShape (): DataShape {
  const v = process.env.DATA ?? ''
  if (v === '' || v === 'user') return 'user'
  if (v === 'counter') return 'counter'
  throw new Error(`DATA must be user or counter, not ${v}`)
}
export const DATA: DataShape = dataShape()
/** Whether the sessions hold the user object (DATA=user). */
export const WITH_USER = DATA === 'user'

/**
 * How many distinct sessions each side serves (`SESSIONS`): `one` (the default) sends one seeded
 * cookie on every request; `many` seeds 1 000 sessions up front and each connection cycles through
 * them request by request, so a per-process cache holds 1 000 entries rather than one. (All of them fit
 * in the cookie store's cache of opened cookies: every request after the first pass is still a hit.)
 */
function sessionCount (): number {
  const v = process.env.SESSIONS ?? ''
  if (v === '' || v === 'one') return 1
  if (v === 'many') return 1000
  throw new Error(`SESSIONS must be one or many, not ${v}`)
}
export const SESSION_COUNT = sessionCount()

/** The route shapes a pair of `shapes` runs with the sessions of DATA. */
export function shapesOf (shapes: readonly Shape[]): readonly Shape[] {
  return WITH_USER ? shapes : shapes.filter((s) => s === 'scalar')
}

// The session every benchmark module serves, declared once for all of them.
declare module 'fastify-session-kit' {
  interface SessionData {
    user: typeof USER
    counter: number
  }
}

/** What the measured route does with the session. */
export type Mode = 'plain' | 'read-write' | 'read-only'
/**
 * What the route answers: `scalar` is `{ counter }` alone, `user` is `{ user, counter }` (the user
 * object read out of the session too, so it is serialised into the response).
 */
export type Shape = 'scalar' | 'user'
export const SHAPES: readonly Shape[] = ['scalar', 'user']

/** An external server a case needs, started by the orchestrator (bench/services.ts). */
export type Service = 'redis' | 'postgres'

/**
 * One server setup of bench/servers/setups.ts: bare Fastify, this package on one store, or an anchor
 * registered as its README shows. A name ending in `@A` is this package's setup on the KIT_A build.
 */
export type Setup =
  | 'bare' | 'bare-cookie'
  | 'kit-cookie' | 'kit-memory' | 'kit-redis' | 'kit-postgres'
  | 'secure-session' | 'fsession-memory' | 'fsession-redis' | 'fsession-postgres'
  | 'fsession-redis-norolling' | 'fsession-postgres-norolling'

/**
 * One comparison: our setup against its anchor on the same route. To add a store (PostgresStore vs
 * @fastify/session + connect-pg-simple, say): a `Setup` name for each side in setups.ts, a `Service`
 * and its starter in services.ts, and a row here.
 */
export interface Pair {
  /** Short id, for `CASES=`. */
  readonly name: string
  readonly label: string
  readonly ours: Setup
  /** The anchor's setup; `<setup>@A` for this package on the KIT_A build (an A/B run). */
  readonly anchor: Setup | `${Setup}@A`
  readonly mode: Mode
  /** The route shapes this pair is measured on (`plain` has one payload, so one shape). */
  readonly shapes: readonly Shape[]
  /** The target for ours ÷ anchor in req/s, if it sets one. */
  readonly target?: number | undefined
  readonly services?: readonly Service[]
}

export const PAIRS: readonly Pair[] = [
  { name: 'no-cookie', label: 'no cookie, route ignores the session vs bare Fastify', ours: 'kit-cookie', anchor: 'bare', mode: 'plain', shapes: ['user'], target: 0.95 },
  // The same route against Fastify with @fastify/cookie only: how much of the cost above is the cookie
  // plugin's two hooks, which every session plugin here registers, and how much is ours.
  { name: 'no-cookie-plugin', label: 'no cookie, route ignores the session vs Fastify with @fastify/cookie', ours: 'kit-cookie', anchor: 'bare-cookie', mode: 'plain', shapes: ['user'] },
  { name: 'cookie-rw', label: 'CookieStore read+write vs @fastify/secure-session', ours: 'kit-cookie', anchor: 'secure-session', mode: 'read-write', shapes: SHAPES, target: 1.3 },
  { name: 'cookie-ro', label: 'CookieStore read-only vs @fastify/secure-session', ours: 'kit-cookie', anchor: 'secure-session', mode: 'read-only', shapes: SHAPES, target: 1.15 },
  { name: 'memory-rw', label: 'MemoryStore read+write vs @fastify/session', ours: 'kit-memory', anchor: 'fsession-memory', mode: 'read-write', shapes: SHAPES, target: 1.8 },
  { name: 'redis-rw', label: 'RedisStore read+write vs @fastify/session + connect-redis', ours: 'kit-redis', anchor: 'fsession-redis', mode: 'read-write', shapes: SHAPES, target: 1.6, services: ['redis'] },
  { name: 'redis-ro', label: 'RedisStore read-only vs @fastify/session + connect-redis', ours: 'kit-redis', anchor: 'fsession-redis', mode: 'read-only', shapes: SHAPES, services: ['redis'] },
  { name: 'pg-rw', label: 'PostgresStore read+write vs @fastify/session + connect-pg-simple', ours: 'kit-postgres', anchor: 'fsession-postgres', mode: 'read-write', shapes: SHAPES, services: ['postgres'] },
  { name: 'pg-ro', label: 'PostgresStore read-only vs @fastify/session + connect-pg-simple', ours: 'kit-postgres', anchor: 'fsession-postgres', mode: 'read-only', shapes: SHAPES, services: ['postgres'] },
  // The read-only pairs again against @fastify/session with `rolling: false`: its default `rolling: true`
  // saves the whole session and sends a cookie on every response, read-only ones too, where ours only
  // reads; without it, it hashes the session and writes nothing when the hash is unchanged (and the
  // session's expiry stops sliding, so neither setting is quite ours).
  { name: 'redis-ro-norolling', label: 'RedisStore read-only vs @fastify/session (rolling: false) + connect-redis', ours: 'kit-redis', anchor: 'fsession-redis-norolling', mode: 'read-only', shapes: SHAPES, services: ['redis'] },
  { name: 'pg-ro-norolling', label: 'PostgresStore read-only vs @fastify/session (rolling: false) + connect-pg-simple', ours: 'kit-postgres', anchor: 'fsession-postgres-norolling', mode: 'read-only', shapes: SHAPES, services: ['postgres'] }
]

/** The route of a mode and shape; the server registers every one of them. */
export function routeOf (mode: Mode, shape: Shape): string {
  if (mode === 'plain') return '/plain'
  return `/${mode === 'read-write' ? 'rw' : 'ro'}/${shape}`
}
