// Helpers for the adversarial tests (property, fuzz, leak and oracle tests). Not a test file.
import type { FastifyReply, FastifyRequest, LightMyRequestResponse } from 'fastify'
import { EventEmitter } from 'node:events'
import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import sodium from 'sodium-native'
import { CookieDriver } from '../../lib/stores/cookie-driver.js'
import { CookieStore } from '../../lib/stores/cookie-store.js'
import { ServerDriver } from '../../lib/stores/server-driver.js'
import type { Driver } from '../../lib/driver.js'
import { buildConfig, type Config, type FastifySessionOptions } from '../../lib/options.js'
import { Session } from '../../lib/session.js'
import { kState } from '../../lib/symbols.js'
import { Keyring } from '../../lib/keyring.js'
import { Sealer } from '../../lib/seal.js'
import { SECRET } from './index.js'

/**
 * fast-check settings from the environment: `FC_SEED` replays a run, `FC_RUNS` sets the runs per
 * property (default 10 000, the CI floor). `scale` shrinks the count for slow properties (through
 * HTTP or Redis) without going below `min`.
 */
export function fcParams (scale = 1, min = 1): fc.Parameters<unknown> {
  const runs = Number(process.env.FC_RUNS ?? 10_000)
  const params: fc.Parameters<unknown> = { numRuns: Math.max(min, Math.floor(runs * scale)) }
  if (process.env.FC_SEED !== undefined) params.seed = Number(process.env.FC_SEED)
  return params
}

/**
 * Runs `fc.assert` and on failure rethrows with the seed and path up front, so the line that
 * reproduces it (`FC_SEED=<seed>`) is in the test output even when a reporter trims long messages.
 */
export async function check<Ts> (
  t: { comment (...args: unknown[]): void },
  property: fc.IAsyncProperty<Ts>,
  params: fc.Parameters<unknown>
): Promise<number> {
  const details = await fc.check(property, params as fc.Parameters<Ts>)
  t.comment(`fast-check: ${details.numRuns} runs, seed ${details.seed} (replay with FC_SEED=${details.seed})`)
  if (details.failed) {
    throw new Error(`property failed: replay with FC_SEED=${details.seed} (path ${details.counterexamplePath ?? '?'})\n${fc.defaultReportMessage(details) ?? ''}`)
  }
  return details.numRuns
}

/** A request/reply pair good enough for the drivers, with the Set-Cookie headers it got. */
export interface FakeExchange {
  request: FastifyRequest
  reply: FastifyReply
  setCookies: () => string[]
}

const silent = {
  isLevelEnabled: () => false,
  level: 'silent',
  debug () {},
  warn () {},
  error () {},
  info () {},
  trace () {},
  fatal () {},
  child () { return silent }
}

export function fakeExchange (protocol: 'http' | 'https' = 'https'): FakeExchange {
  const headers = new Map<string, unknown>()
  const reply = {
    // The raw response: watched for unsaved changes (hijacked replies), never written to here.
    raw: Object.assign(new EventEmitter(), { headersSent: false }),
    sent: false,
    statusCode: 200,
    getHeader: (name: string) => headers.get(name),
    removeHeader: (name: string) => { headers.delete(name) },
    header (name: string, value: unknown) {
      const previous = headers.get(name)
      if (previous === undefined) headers.set(name, value)
      else headers.set(name, ([] as unknown[]).concat(previous, value))
      return reply
    }
  }
  const request = { protocol, log: silent, headers: {} }
  return {
    request: request as unknown as FastifyRequest,
    reply: reply as unknown as FastifyReply,
    setCookies () {
      const v = headers.get('set-cookie')
      return v === undefined ? [] : ([] as string[]).concat(v as string | string[])
    }
  }
}

/**
 * A store driver driven without Fastify or HTTP: the layer under the hooks, fast enough for
 * 10 000-case properties.
 */
export interface DirectDriver {
  config: Config
  driver: Driver
  /** A new request's Session, loaded from `cookie` (the raw value) when given. */
  open (cookie?: string): Promise<{ session: Session, exchange: FakeExchange }>
  /** Persists the session the way onSend does; returns the raw value of the cookie set, if any. */
  persist (session: Session, exchange: FakeExchange): Promise<string | undefined>
}

export function directDriver (options: Partial<FastifySessionOptions> = {}): DirectDriver {
  const config = buildConfig({ secret: SECRET, ...options } as FastifySessionOptions)
  const driver: Driver = config.store instanceof CookieStore
    ? new CookieDriver(config)
    : new ServerDriver(config, config.store)
  const name = config.cookieName
  return {
    config,
    driver,
    async open (cookie) {
      const exchange = fakeExchange()
      const session = new Session(driver, exchange.request, exchange.reply, Date.now())
      if (cookie !== undefined) await driver.load(session[kState], cookie)
      return { session, exchange }
    },
    async persist (session, exchange) {
      await driver.persist(session[kState])
      const header = exchange.setCookies().find((c) => c.startsWith(`${name}=`))
      const value = header?.split(';')[0]?.slice(name.length + 1)
      return value === '' ? undefined : value
    }
  }
}

/** Session data the plugin must round-trip: JSON values under any key but `__proto__` (refused by design). */
export function sessionData (): fc.Arbitrary<Record<string, unknown>> {
  const key = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 12 }),
    // Raw UTF-16 units, lone surrogates included.
    fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 8 }),
    fc.constantFrom('', 'constructor', 'toString', 'hasOwnProperty', 'userId', 'a.b', '0', '-1')
  ).filter((k) => k !== '__proto__')
  const value = fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom<unknown>(0, '', false, null, [], {}) },
    { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3, depthSize: 'small' }) }
  )
  return fc.dictionary(key, value, { maxKeys: 6, noNullPrototype: true })
}

/** Whether the response let the request through as a logged-in user (the routes echo the user). */
export function authenticated (res: LightMyRequestResponse): boolean {
  return res.statusCode === 200 && (res.json() as { user?: unknown }).user != null
}

/** What {@link watchKeyringWipes} saw. */
export interface WipeWatch {
  /** Every keyring wiped since the watch began, in order. */
  readonly keyrings: Keyring[]
  /** Copies of every key buffer of those keyrings, taken just before they were wiped. */
  readonly copies: Buffer[]
}

/** The buffers a keyring holds that tests can reach: seal and store keys of every key and the decoy. */
export function keyBuffers (keyring: Keyring): Buffer[] {
  return [...keyring.keys, keyring.decoy].flatMap((k) => [k.sealKey, k.storeKey])
}

/**
 * A test-only path to the keyring inside a registered plugin, without a public accessor: wraps
 * `Keyring.prototype.wipe` (the plugin calls it from its onClose hook) to keep the keyring and a copy
 * of its keys, then wipes as before. Restored at teardown.
 */
export function watchKeyringWipes (t: { teardown (fn: () => unknown): void }): WipeWatch {
  const original = Object.getOwnPropertyDescriptor(Keyring.prototype, 'wipe') as PropertyDescriptor
  const wipe = original.value as (this: Keyring) => void
  const watch: WipeWatch = { keyrings: [], copies: [] }
  Object.defineProperty(Keyring.prototype, 'wipe', {
    ...original,
    value: function watchedWipe (this: Keyring): void {
      watch.keyrings.push(this)
      for (const b of keyBuffers(this)) watch.copies.push(Buffer.from(b))
      wipe.call(this)
    }
  })
  t.teardown(() => { Object.defineProperty(Keyring.prototype, 'wipe', original) })
  return watch
}

/** Decryptions seen by {@link countDecryptions}: the key each one used. */
export interface DecryptionLog {
  readonly keys: Buffer[]
}

/**
 * A test seam on the AEAD itself: wraps sodium-native's XChaCha20-Poly1305 decrypt (the one
 * primitive lib/seal.ts opens cookies with) to record every call and its key, so tests can count
 * decryptions structurally instead of timing them. Restored at teardown.
 */
export function countDecryptions (t: { teardown (fn: () => unknown): void }): DecryptionLog {
  const target = sodium as unknown as Record<string, (...args: unknown[]) => unknown>
  const name = 'crypto_aead_xchacha20poly1305_ietf_decrypt'
  const original = target[name] as (...args: unknown[]) => unknown
  const log: DecryptionLog = { keys: [] }
  target[name] = function countedDecrypt (...args: unknown[]): unknown {
    log.keys.push(args[5] as Buffer)
    return original.apply(this, args)
  }
  t.teardown(() => { target[name] = original })
  return log
}

/** Counts calls of `Sealer.prototype.open` (the first step of decoding a cookie). Restored at teardown. */
export function countOpens (t: { teardown (fn: () => unknown): void }): { count: number } {
  const original = Object.getOwnPropertyDescriptor(Sealer.prototype, 'open') as PropertyDescriptor
  const open = original.value as (this: Sealer, value: string) => unknown
  const counter = { count: 0 }
  Object.defineProperty(Sealer.prototype, 'open', {
    ...original,
    value: function countedOpen (this: Sealer, value: string): unknown {
      counter.count++
      return open.call(this, value)
    }
  })
  t.teardown(() => { Object.defineProperty(Sealer.prototype, 'open', original) })
  return counter
}

/**
 * Gives a property test file time in proportion to its run count (tap's default is 30 s per file):
 * 10 000 runs on a busy two-core CI machine can take longer than that.
 */
export function propertyTimeout (t: { setTimeout (ms: number): void }, msPerRun = 10): void {
  const runs = Number(process.env.FC_RUNS ?? 10_000)
  t.setTimeout(Math.max(30_000, runs * msPerRun))
}

// Under this many bytes of data JSON the sealed cookie always fits in 4096 bytes (the plaintext adds
// ~130 bytes of id and times, sealing adds 45 bytes and a third for base64url, attributes ~60).
export const ALWAYS_FITS = 2700

// JSON has no negative zero: -0 is accepted by set() and comes back as 0, the one change allowed.
function noNegativeZero (value: unknown): unknown {
  if (Object.is(value, -0)) return 0
  if (Array.isArray(value)) return value.map(noNegativeZero)
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) Object.defineProperty(out, k, { value: noNegativeZero(v), enumerable: true, writable: true, configurable: true })
    return out
  }
  return value
}

/** Deep equality of loaded session data with what was set, -0 read as 0. */
export const sameData = (actual: unknown, expected: unknown): boolean => isDeepStrictEqual(actual, noNegativeZero(expected))

/** Sets `data` on a new session, persists it, opens the cookie: whether the same data came back. */
export async function roundTrip (d: DirectDriver, data: Record<string, unknown>): Promise<boolean> {
  const first = await d.open()
  for (const [k, v] of Object.entries(data)) (first.session as unknown as { set (k: string, v: unknown): void }).set(k, v)
  let cookie: string | undefined
  try {
    cookie = await d.persist(first.session, first.exchange)
  } catch (err) {
    // Refusing is right only for data too big for a cookie, never for data that fits.
    return (err as { code?: string }).code === 'FST_SESSION_COOKIE_TOO_LARGE' &&
      Buffer.byteLength(JSON.stringify(data)) > ALWAYS_FITS
  }
  if (Object.keys(data).length === 0) return cookie === undefined
  if (cookie === undefined) return false
  const second = await d.open(cookie)
  return second.session.isNew === false &&
    second.session.id === first.session.id &&
    sameData((second.session as unknown as { data (): unknown }).data(), data)
}

/** Keys a later request deletes (short, so that some hit the keys set before). */
export function removedKeys (): fc.Arbitrary<string[]> {
  return fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 })
}

/**
 * {@link roundTrip}, then a second request that sets `changes` and deletes `removed` (a server store
 * writes that as a patch): whether a third request reads back exactly the data expected.
 */
export async function roundTripWithChanges (
  d: DirectDriver, data: Record<string, unknown>, changes: Record<string, unknown>, removed: string[]
): Promise<boolean> {
  if (!await roundTrip(d, data)) return false
  type Untyped = { set (k: string, v: unknown): void, data (): Record<string, unknown> }
  const first = await d.open()
  for (const [k, v] of Object.entries(data)) (first.session as unknown as Untyped).set(k, v)
  const cookie = await d.persist(first.session, first.exchange)
  const expected: Record<string, unknown> = { ...data }
  const second = await d.open(cookie)
  for (const [k, v] of Object.entries(changes)) { (second.session as unknown as Untyped).set(k, v); expected[k] = v }
  for (const k of removed) { second.session.delete(k as never); delete expected[k] }
  await d.persist(second.session, second.exchange)
  if (cookie === undefined) return true
  const third = await d.open(cookie)
  return Object.keys(expected).length === 0 || sameData((third.session as unknown as Untyped).data(), expected)
}
