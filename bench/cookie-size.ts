/**
 * `npm run bench -- cookie`: the sealed cookie of the benchmark session (the user object and the
 * counter), ours against @fastify/secure-session's, each as its plugin writes it after a read+write
 * request. Deterministic (sizes, not timings): fine to run on a busy machine.
 */
import { join } from 'node:path'
import { DIST } from './dist.js'
import { appHarness } from './harness.js'

const builds = { current: join(DIST, 'index.js') }

/** The `name=value` a plugin sets for the benchmark session after one read+write request. */
async function cookieOf (setupName: string): Promise<string> {
  const { h, access } = await appHarness(setupName, builds)
  await h.serve(undefined, (r) => { access.seed(r) })
  await h.serve(h.lastCookie(), (r) => access.increment(r, true))
  const cookie = h.lastCookie()
  await h.close()
  return cookie
}

// secure-session's value is percent-encoded standard base64 (`+`, `/`, `=` and its `;` take three
// bytes each), so its length moves with the random nonce: take several.
const SAMPLES = 25
const value = (c: string): number => c.length - c.indexOf('=') - 1
const sizes = async (setupName: string): Promise<{ min: number, median: number, max: number, name: number }> => {
  const all: number[] = []
  let name = 0
  for (let i = 0; i < SAMPLES; i++) {
    const c = await cookieOf(setupName)
    all.push(value(c))
    name = c.indexOf('=')
  }
  all.sort((a, b) => a - b)
  return { min: all[0] as number, median: all[SAMPLES >> 1] as number, max: all[SAMPLES - 1] as number, name }
}
const ours = await sizes('kit-cookie')
const theirs = await sizes('secure-session')
console.log(`| cookie (${SAMPLES} sessions) | value bytes: median (min–max) | cookie name |`)
console.log('|---|---:|---:|')
console.log(`| fastify-session-kit CookieStore | ${ours.median} (${ours.min}–${ours.max}) | ${ours.name} |`)
console.log(`| @fastify/secure-session | ${theirs.median} (${theirs.min}–${theirs.max}) | ${theirs.name} |`)
console.log(`\nours ÷ secure-session, value, medians: ${(ours.median / theirs.median).toFixed(3)}× (target ≤ 1.15×)`)
