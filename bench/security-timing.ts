/**
 * `npx tsx bench/security-timing.ts`: how long Sealer.open takes for a cookie under a known key id
 * (valid, and with a flipped tag byte) and under an unknown key id (answered by the decoy key), with
 * five keys configured. The unknown/known-tampered ratio should be ~1.00: an attacker timing forged
 * cookies learns neither how many keys exist nor which ids are known. (The tests check the same
 * property structurally, by counting decryptions; this is the wall-clock view.)
 *
 * Environment: ROUNDS (default 15), PER_ROUND (opens per case per round, default 20000).
 */
import { buildConfig, type FastifySessionOptions } from '../lib/options.js'
import { Sealer } from '../lib/seal.js'

const ROUNDS = Number(process.env.ROUNDS ?? 15)
const PER_ROUND = Number(process.env.PER_ROUND ?? 20_000)

const secrets = [0, 1, 2, 3, 4].map((i) => `bench-secret-${i}-0123456789abcdefghijklmnopqrstuvwxyz`)
const keyring = buildConfig({ secret: secrets } as FastifySessionOptions).keyring
const sealer = new Sealer(keyring, 'sid')
const payload = JSON.stringify({ id: 'A'.repeat(43), iat: Date.now(), seen: Date.now(), idAt: Date.now(), data: { userId: 'alice', role: 'user', cart: [1, 2, 3] } })
const valid = sealer.seal(payload)

function edit (value: string, change: (raw: Buffer) => void): string {
  const raw = Buffer.from(value, 'base64url')
  change(raw)
  return raw.toString('base64url')
}

const cases: Record<string, string> = {
  'known key id, valid': valid,
  'known key id, tampered tag': edit(valid, (raw) => { raw[raw.length - 1] = (raw[raw.length - 1] as number) ^ 1 }),
  'unknown key id (decoy)': edit(valid, (raw) => { raw.writeUInt32BE((keyring.current.id + 1) >>> 0, 1) })
}

function timeOne (value: string): number {
  const start = process.hrtime.bigint()
  for (let i = 0; i < PER_ROUND; i++) sealer.open(value)
  return Number(process.hrtime.bigint() - start) / PER_ROUND
}

const samples: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
for (const value of Object.values(cases)) timeOne(value) // warm-up
for (let r = 0; r < ROUNDS; r++) {
  // Interleaved, so drift on a shared machine hits every case alike.
  for (const [name, value] of Object.entries(cases)) samples[name]?.push(timeOne(value))
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}
const ns: Record<string, number> = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]))
console.log(`Sealer.open, ${payload.length}-byte payload, 5 keys, median of ${ROUNDS} rounds x ${PER_ROUND} opens (Node ${process.version})`)
for (const [name, v] of Object.entries(ns)) console.log(`  ${name.padEnd(28)} ${v.toFixed(0).padStart(6)} ns/open`)
const ratio = (ns['unknown key id (decoy)'] as number) / (ns['known key id, tampered tag'] as number)
console.log(`  ratio unknown / known-tampered: ${ratio.toFixed(3)}`)
console.log(`  ratio unknown / known-valid:    ${((ns['unknown key id (decoy)'] as number) / (ns['known key id, valid'] as number)).toFixed(3)}`)
keyring.wipe()
