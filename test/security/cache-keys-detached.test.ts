// The in-process caches keyed by a value read out of the Cookie header (the cookie store's opened
// cookies, the server driver's store keys of recent ids) keep a copy of that value, not the slice of
// the header V8 would otherwise keep: a slice keeps its whole header alive, so a client padding its
// Cookie header to 8 KiB would make every cache entry cost 8 KiB instead of the bytes counted for it.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import t from 'tap'
import { MemoryStore } from '../../lib/index.js'
import { readCookie } from '../../lib/cookie.js'
import { directDriver } from '../helpers/security-support.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

function heapAfterGc (): number {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

// A Cookie header as a padded request sends it: 7 KiB of another cookie, then ours.
function paddedHeader (value: string, i: number): string {
  return `pad=${'p'.repeat(7000)}${i}; sid=${value}`
}

const COOKIES = 400

for (const store of ['cookie', 'memory'] as const) {
  t.test(`${store} store: a cached value does not keep the Cookie header it came in`, async (t) => {
    const d = directDriver(store === 'memory' ? { store: new MemoryStore() } : {})
    const values: string[] = []
    for (let i = 0; i < COOKIES + 10; i++) {
      const { session, exchange } = await d.open()
      ;(session as unknown as { set (k: string, v: unknown): void }).set('n', i)
      values.push(await d.persist(session, exchange) as string)
    }
    const load = async (value: string, i: number): Promise<void> => {
      const raw = readCookie(paddedHeader(value, i), 'sid') as string
      t.equal((await d.open(raw)).session.isNew, false)
    }
    // Warm-up: what the first loads allocate once (compiled code, lazily made structures).
    for (let i = COOKIES; i < COOKIES + 10; i++) await load(values[i] as string, i)
    if (store === 'memory') (d.driver as unknown as { storeKeys: { clear (): void } }).storeKeys.clear()
    const before = heapAfterGc()
    for (let i = 0; i < COOKIES; i++) await load(values[i] as string, i)
    const perEntry = (heapAfterGc() - before) / COOKIES
    t.ok(perEntry < 3000, `${Math.round(perEntry)} bytes of heap per cached value, not the 7 KiB header`)
  })
}
