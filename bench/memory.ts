/**
 * Memory: MemoryStore bytes per session at 100 000 sessions, and the plugin's heap over 1 000 000
 * requests on the cookie store. Needs `--expose-gc` (`npm run bench -- memory` passes it).
 * Environment: STORE_SESSIONS (default 100000; SESSIONS is the HTTP part's one or many), REQUESTS
 * (default 1000000), COOKIES (distinct cookies read once each for the cookie store's cache of opened
 * cookies, default 20000).
 */
import { MemoryStore, type Session } from 'fastify-session-kit'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { SEEDED_COUNTER, USER } from './cases.js'
import { BENCH_DIR as here, loadInternals } from './dist.js'
import { harness, SECRET } from './harness.js'
import { machine } from './machine.js'

const { Keyring, generateId } = await loadInternals()

const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error('run with node --expose-gc')

function heapUsed (): number {
  // Twice: the first collection can leave garbage that only a second one frees (weak maps, finalizers).
  gc?.()
  gc?.()
  return process.memoryUsage().heapUsed
}

const SESSIONS = Number(process.env.STORE_SESSIONS ?? 100_000)
const REQUESTS = Number(process.env.REQUESTS ?? 1_000_000)
const COOKIES = Number(process.env.COOKIES ?? 20_000)
const data = { user: USER, counter: SEEDED_COUNTER }
const payloadBytes = JSON.stringify(data).length

/** MemoryStore with SESSIONS sessions, keyed as the plugin keys them (a keyed hash of a random id). */
async function memoryStore (): Promise<{ sessions: number, bytesPerSession: number, payloadBytes: number, overheadBytes: number }> {
  const keyring = new Keyring([Buffer.from(SECRET)])
  const store = new MemoryStore({ maxSessions: SESSIONS })
  const before = heapUsed()
  const now = Date.now()
  for (let i = 0; i < SESSIONS; i++) {
    const record = { data: { user: { ...USER }, counter: SEEDED_COUNTER + i }, createdAt: now, lastSeenAt: now }
    await store.set(keyring.storeKey(generateId()), record, 86_400_000)
  }
  const after = heapUsed()
  if (store.size !== SESSIONS) throw new Error(`expected ${SESSIONS} sessions, have ${store.size}`)
  const bytesPerSession = (after - before) / SESSIONS
  store.close()
  keyring.wipe()
  return { sessions: SESSIONS, bytesPerSession, payloadBytes, overheadBytes: bytesPerSession - payloadBytes }
}

/**
 * Heap at checkpoints while the cookie store serves REQUESTS read+write requests with one cookie,
 * through the plugin's own onRequest and onSend hooks (what the plugin does per request, with a
 * minimal request and reply). Not through app.inject: light-my-request 6.8 itself retains about 9 KB
 * per injected request here (with a bare `(req, res) => res.end()` handler too), which would hide
 * anything the plugin does.
 */
async function cookieStoreHeap (): Promise<Array<{ requests: number, heapMB: number }>> {
  const h = await harness('cookie')
  // The cookie store's harness is synchronous: no promise per request to blur the heap.
  const serve = h.serve as (cookie: string | undefined, handle: (s: Session) => void) => void
  serve(undefined, (s) => {
    s.set('user', USER)
    s.set('counter', SEEDED_COUNTER)
  })
  const cookie = h.lastSetCookie().split(';')[0] as string
  const every = REQUESTS / 10
  const points: Array<{ requests: number, heapMB: number }> = []
  let counter = 0
  for (let done = 1; done <= REQUESTS; done++) {
    serve(cookie, (s) => {
      counter = (s.get('counter') ?? 0) + 1
      s.set('counter', counter)
      s.get('user')
    })
    if (counter !== SEEDED_COUNTER + 1) throw new Error('the session did not load')
    if (done % every === 0 || done === 10_000) points.push({ requests: done, heapMB: heapUsed() / 1048576 })
  }
  h.close()
  return points
}

/**
 * The cookie store's cache of opened cookies (lib/stores/opened-cookies.ts) after read-only requests
 * with COOKIES distinct cookies, each sent once: what it holds against its 4 MiB bound, and the heap it
 * adds.
 */
async function openedCookies (): Promise<{ cookies: number, entries: number, bytes: number, heapMB: number } | undefined> {
  const h = await harness('cookie')
  const serve = h.serve as (cookie: string | undefined, handle: (s: Session) => void) => void
  const cookies: string[] = []
  for (let i = 0; i < COOKIES; i++) {
    serve(undefined, (s) => {
      s.set('user', USER)
      s.set('counter', SEEDED_COUNTER + i)
    })
    cookies.push(h.lastSetCookie().split(';')[0] as string)
  }
  for (const cookie of cookies) {
    serve(cookie, (s) => {
      if (s.get('counter') === undefined) throw new Error('the session did not load')
    })
  }
  const opened = h.opened()
  // Read before close(): wiping the keys empties the cache. The heap it takes is the difference.
  const result = opened === undefined ? undefined : { cookies: COOKIES, entries: opened.size, bytes: opened.bytes, heapMB: heapUsed() / 1048576 }
  h.close()
  if (result !== undefined) result.heapMB -= heapUsed() / 1048576
  if (cookies.length !== COOKIES) throw new Error('lost a cookie')
  return result
}

const store = await memoryStore()
const heap = await cookieStoreHeap()
const cache = await openedCookies()
const first = heap.find((p) => p.requests >= REQUESTS / 10) ?? heap[0]
const last = heap.at(-1)
const growthMB = first === undefined || last === undefined ? 0 : last.heapMB - first.heapMB
const result = { date: new Date().toISOString(), machine: machine(), memoryStore: store, cookieStoreHeap: heap, growthMB, openedCookies: cache }
const md = [
  `MemoryStore, ${store.sessions} sessions of ${store.payloadBytes} bytes of JSON each: ` +
    `${Math.round(store.bytesPerSession)} bytes per session, ${Math.round(store.overheadBytes)} beyond the payload (target ≤ 1024).`,
  '',
  `Cookie store, ${REQUESTS} read+write requests through the plugin's onRequest and onSend hooks, heap after a forced GC:`,
  '',
  '| requests | heap used (MB) |',
  '|---:|---:|',
  ...heap.map((p) => `| ${p.requests} | ${p.heapMB.toFixed(2)} |`),
  '',
  `Growth from ${first?.requests ?? 0} to ${last?.requests ?? 0} requests: ${growthMB.toFixed(2)} MB.`,
  '',
  cache === undefined
    ? 'This build has no cache of opened cookies.'
    : `Cache of opened cookies after ${cache.cookies} distinct cookies read once each: ${cache.entries} entries, ` +
      `${(cache.bytes / 1048576).toFixed(2)} MiB counted against its 4 MiB bound, ${cache.heapMB.toFixed(2)} MB of heap (heap used before and after emptying it, after a forced GC).`
].join('\n') + '\n'
mkdirSync(here, { recursive: true })
writeFileSync(join(here, 'memory.json'), JSON.stringify(result, null, 2) + '\n')
writeFileSync(join(here, 'memory.md'), md)
console.log(`\n${md}`)
