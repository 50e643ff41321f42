/**
 * The cases of the side-by-side HTTP benchmark, shared by the orchestrator (bench/run.ts) and the
 * server process (bench/servers/server.ts), so both agree on routes and on what each case checks.
 */

/** The session data every stateful case holds: a ~150-byte user object plus a counter (~185 bytes of JSON). */
export const USER = {
  id: 'u_7f3a9c21',
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  roles: ['user', 'editor'],
  locale: 'en-GB',
  plan: 'pro',
  createdAt: '2025-11-02T09:14:00Z'
}
/** The counter value the seeding request stores; read-only cases must read it back unchanged. */
export const SEEDED_COUNTER = 1000

// The session every benchmark module serves, declared once for all of them.
declare module 'fastify-session-kit' {
  interface SessionData {
    user: typeof USER
    counter: number
  }
}

/** What a case's route does with the session. */
export type Mode = 'bare' | 'no-cookie' | 'read-write' | 'read-only' | 'diagnostic'

export interface BenchCase {
  /** Short id, also the server's argv. */
  readonly name: string
  /** Row label in the table and the chart. */
  readonly label: string
  readonly mode: Mode
  /** The case this one is compared with (ours -> its anchor); undefined for the anchors themselves. */
  readonly anchor?: string | undefined
  /** Whether the case needs the local redis-server. */
  readonly redis?: boolean
  /** Whether the case is this package (as opposed to bare Fastify or an anchor). */
  readonly ours: boolean
  /** Diagnostic cases: send no Cookie header. */
  readonly noCookie?: boolean
}

export const CASES: readonly BenchCase[] = [
  { name: 'bare', label: 'bare Fastify (ceiling)', mode: 'bare', ours: false },
  { name: 'kit-no-cookie', label: 'session-kit, no cookie, route ignores session', mode: 'no-cookie', anchor: 'bare', ours: true },
  { name: 'kit-cookie-rw', label: 'session-kit CookieStore read+write', mode: 'read-write', anchor: 'secure-rw', ours: true },
  { name: 'secure-rw', label: '@fastify/secure-session read+write', mode: 'read-write', ours: false },
  { name: 'kit-cookie-ro', label: 'session-kit CookieStore read-only', mode: 'read-only', anchor: 'secure-ro', ours: true },
  { name: 'secure-ro', label: '@fastify/secure-session read-only', mode: 'read-only', ours: false },
  { name: 'kit-memory-rw', label: 'session-kit MemoryStore read+write', mode: 'read-write', anchor: 'fsession-memory-rw', ours: true },
  { name: 'fsession-memory-rw', label: '@fastify/session MemoryStore read+write', mode: 'read-write', ours: false },
  { name: 'kit-redis-rw', label: 'session-kit RedisStore read+write', mode: 'read-write', anchor: 'fsession-redis-rw', redis: true, ours: true },
  { name: 'fsession-redis-rw', label: '@fastify/session + connect-redis read+write', mode: 'read-write', redis: true, ours: false }
]

/**
 * Not part of the default run (select them with CASES): bare Fastify with only the cookie plumbing
 * every cookie session pays, so the table can tell it apart from the session work. Each gets a
 * 394-character cookie (the size of a sealed session here) in every request.
 */
export const DIAGNOSTIC_CASES: readonly BenchCase[] = [
  { name: 'diag-fastify-cookie-alone', label: 'bare Fastify + @fastify/cookie, no cookie comes in', mode: 'diagnostic', ours: false, noCookie: true },
  { name: 'diag-cookie-in', label: 'bare Fastify, a session-sized Cookie header comes in', mode: 'diagnostic', ours: false },
  { name: 'diag-fastify-cookie', label: '+ @fastify/cookie parses it', mode: 'diagnostic', ours: false },
  { name: 'diag-set-cookie', label: '+ a session-sized Set-Cookie goes out (reply.header)', mode: 'diagnostic', ours: false }
]

/** The route each mode is measured on. */
export const ROUTE: Record<Mode, string> = {
  diagnostic: '/plain',
  bare: '/plain',
  'no-cookie': '/plain',
  'read-write': '/rw',
  'read-only': '/ro'
}

/** Ratio targets of the issue: ours / its anchor, measured in the same run. */
export const TARGETS: Record<string, number> = {
  'kit-no-cookie': 0.95,
  'kit-cookie-rw': 1.3,
  'kit-cookie-ro': 1.15,
  'kit-memory-rw': 1.8,
  'kit-redis-rw': 1.6
}
