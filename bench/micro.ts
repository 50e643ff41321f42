/**
 * Micro benchmark of sealing: `Sealer.seal` / `Sealer.open` from the built package against the raw
 * libsodium calls on preallocated buffers (the floor: no encoding, no allocation, a fixed nonce).
 * Run by `npm run bench -- micro`; MICRO_MS sets the milliseconds per measurement (default 500).
 * KIT_A (a path to another build's dist/lib/index.js) adds that build's seal/open, for A/B ratios.
 */
import sodium from 'sodium-native'
import { join } from 'node:path'
import { writeFileSync, mkdirSync } from 'node:fs'
import { BENCH_DIR as here, DIST, DIST_A as distA, loadInternals } from './dist.js'
import { machine } from './machine.js'

const { Sealer, Keyring } = await loadInternals()
const builtA = distA === undefined ? undefined : await loadInternals(distA)

const MS = Number(process.env.MICRO_MS ?? 500)
const ROUNDS = 3
// Let the JIT settle before anything is timed.
const WARMUP_OPS = 20_000

/**
 * Operations per CPU-second of `op` (user + system time of this process, not wall time: the machine
 * may be shared, and time slices lost to other processes are not ours), the median of ROUNDS runs of
 * about MS milliseconds of CPU each.
 */
function opsPerSec (op: () => void): number {
  const results: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    let n = 0
    let used = 0
    const start = process.cpuUsage()
    while (used < MS * 1000) {
      for (let i = 0; i < 1000; i++) op()
      n += 1000
      const u = process.cpuUsage(start)
      used = u.user + u.system
    }
    results.push(n / (used / 1e6))
  }
  return results.sort((a, b) => a - b)[1] as number
}

function plaintextOf (bytes: number): string {
  // JSON like the sessions': ASCII, so string length equals byte length.
  const filler = 'x'.repeat(bytes - 11)
  return `{"data":"${filler}"}`
}

const keyring = new Keyring([Buffer.alloc(32, 3)])
const sealer = new Sealer(keyring, 'sid')
const sealerA = builtA === undefined ? undefined : new builtA.Sealer(new builtA.Keyring([Buffer.alloc(32, 3)]), 'sid')
const key = Buffer.alloc(sodium.crypto_aead_xchacha20poly1305_ietf_KEYBYTES, 5)
const nonce = Buffer.alloc(sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, 9)
const ad = Buffer.from('\x01\x00\x00\x00\x01sid')
const TAG = sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES

interface MicroRow {
  op: string
  bytes: number
  oursOpsPerSec: number
  floorOpsPerSec: number
  oursUs: number
  floorUs: number
  ratio: number
  /** The KIT_A build's µs per operation, when given. */
  aUs?: number
}
const rows: MicroRow[] = []
for (const bytes of [200, 3072]) {
  const plaintext = plaintextOf(bytes)
  const message = Buffer.from(plaintext)
  const cipher = Buffer.alloc(message.length + TAG)
  const opened = Buffer.alloc(message.length)
  sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(cipher, message, ad, null, nonce, key)
  const sealed = sealer.seal(plaintext)
  const check = sealer.open(sealed)
  if (typeof check === 'string' || check.message.toString() !== plaintext) throw new Error('seal/open round trip failed')

  for (let i = 0; i < WARMUP_OPS; i++) {
    sealer.seal(plaintext)
    sealer.open(sealed)
  }
  const oursSeal = opsPerSec(() => { sealer.seal(plaintext) })
  const floorSeal = opsPerSec(() => { sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(cipher, message, ad, null, nonce, key) })
  const oursOpen = opsPerSec(() => { sealer.open(sealed) })
  const floorOpen = opsPerSec(() => { sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(opened, null, cipher, ad, nonce, key) })
  const aSeal = sealerA === undefined ? undefined : opsPerSec(() => { sealerA.seal(plaintext) })
  // Each build opens what it sealed: another format version would not open.
  const sealedA = sealerA?.seal(plaintext)
  const aOpen = sealerA === undefined ? undefined : opsPerSec(() => { sealerA.open(sealedA as string) })
  for (const [op, ours, floor, a] of [['seal', oursSeal, floorSeal, aSeal], ['open', oursOpen, floorOpen, aOpen]] as const) {
    const row: MicroRow = { op, bytes, oursOpsPerSec: ours, floorOpsPerSec: floor, oursUs: 1e6 / ours, floorUs: 1e6 / floor, ratio: ours / floor }
    if (a !== undefined) row.aUs = 1e6 / a
    rows.push(row)
  }
}

const table = [
  '| operation | payload | lib/seal.ts ops per CPU-s (µs/op) | raw sodium floor ops per CPU-s (µs/op) | ours / floor |',
  '|---|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.op} | ${r.bytes} B | ${Math.round(r.oursOpsPerSec)} (${r.oursUs.toFixed(2)}) | ${Math.round(r.floorOpsPerSec)} (${r.floorUs.toFixed(2)}) | ${r.ratio.toFixed(2)}× |` +
    (r.aUs === undefined ? '' : ` A ${r.aUs.toFixed(2)} µs/op, A/B ${(r.aUs / r.oursUs).toFixed(2)}× |`))
].join('\n') + '\n'
// The per-request pieces the performance issue asked about, each timed alone: reading our cookie out of
// the Cookie header (which @fastify/cookie's hook has parsed already), allocating a request's Session,
// and a method call on it directly and through the key-listing Proxy that `request.session` is.
const cookieModule = await import(join(DIST, 'cookie.js')) as typeof import('../lib/cookie.js')
const sessionModule = await import(join(DIST, 'session.js')) as typeof import('../lib/session.js')
const header = `_ga=GA1.2.123456789.1700000000; theme=dark; sid=${sealer.seal(plaintextOf(200))}; lang=en`
const fakeRequest = {} as never
const fakeReply = {} as never
const direct = new sessionModule.Session(null as never, fakeRequest, fakeReply, Date.now()) as unknown as { get (key: string): unknown }
const proxied = new Proxy(direct as never, sessionModule.listDataKeys) as unknown as { get (key: string): unknown }
const pieces: Array<[string, () => unknown]> = [
  [`readCookie: our cookie out of a ${header.length}-character Cookie header of four cookies`, () => cookieModule.readCookie(header, 'sid')],
  ['a request\'s Session and its state, allocated', () => new sessionModule.Session(null as never, fakeRequest, fakeReply, 0)],
  ['the same, wrapped in the key-listing Proxy', () => new Proxy(new sessionModule.Session(null as never, fakeRequest, fakeReply, 0), sessionModule.listDataKeys)],
  ['session.get() on the Session itself', () => direct.get('userId')],
  ['session.get() through the Proxy (request.session)', () => proxied.get('userId')]
]
const pieceRows = pieces.map(([name, op]) => {
  for (let i = 0; i < WARMUP_OPS; i++) op()
  return { name, ns: 1e9 / opsPerSec(() => { op() }) }
})
const piecesTable = [
  '| per-request piece | ns of CPU per operation |',
  '|---|---:|',
  ...pieceRows.map((r) => `| ${r.name} | ${r.ns.toFixed(0)} |`)
].join('\n') + '\n'

const out = distA === undefined ? here : join(here, 'out')
mkdirSync(out, { recursive: true })
writeFileSync(join(out, 'micro.json'), JSON.stringify({ date: new Date().toISOString(), machine: machine(), rows, pieces: pieceRows }, null, 2) + '\n')
writeFileSync(join(out, 'micro.md'), `${table}\n${piecesTable}`)
console.log(`\n${table}\n${piecesTable}`)
keyring.wipe()
