/**
 * The built library's internal modules, for the benchmarks that call them directly (micro, hooks,
 * memory). They load `dist/` (what users run), and with KIT_A (a path to another build's
 * dist/lib/index.js) that build too, for A/B ratios.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** This folder, where results are written. */
export const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url))
/** The current build's dist/lib, or KIT_B's (another build's dist/lib/index.js, to swap the sides of an A/B run). */
export const DIST = process.env.KIT_B === undefined ? join(BENCH_DIR, '..', 'dist', 'lib') : dirname(process.env.KIT_B)
/** The other build's dist/lib when KIT_A is set. */
export const DIST_A = process.env.KIT_A === undefined ? undefined : dirname(process.env.KIT_A)

/**
 * Refuses a build that Node would not load as ES modules by its package.json. Without one (a `dist/`
 * copied out of the project), Node 20 guesses each file's module type from its syntax, and that build
 * ran 6% slower than the same files in the project in an A/A run: a difference of setup, not of code.
 */
function assertModuleBuild (dist: string, name: string): void {
  for (let dir = dist; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json')
    if (existsSync(file)) {
      if ((JSON.parse(readFileSync(file, 'utf8')) as { type?: string }).type === 'module') return
      break
    }
    if (dirname(dir) === dir) break
  }
  throw new Error(`${name} names a build outside an ES-module package: put it under this project (bench/out/dist-A) or next to a package.json with "type": "module"`)
}
if (process.env.KIT_B !== undefined) assertModuleBuild(DIST, 'KIT_B')
if (DIST_A !== undefined) assertModuleBuild(DIST_A, 'KIT_A')

export interface Internals {
  readonly Keyring: typeof import('../lib/keyring.js').Keyring
  readonly Sealer: typeof import('../lib/seal.js').Sealer
  readonly generateId: typeof import('../lib/session-id.js').generateId
  readonly buildConfig: typeof import('../lib/options.js').buildConfig
  readonly CookieDriver: typeof import('../lib/stores/cookie-driver.js').CookieDriver
  readonly ServerDriver: typeof import('../lib/stores/server-driver.js').ServerDriver
  readonly MemoryStore: typeof import('../lib/stores/memory-store.js').MemoryStore
  readonly onRequest: typeof import('../lib/hooks.js').onRequest
  readonly onSend: typeof import('../lib/hooks.js').onSend
}

/** Loads the internals of the build at `dist` (default: the current build). */
export async function loadInternals (dist = DIST): Promise<Internals> {
  const load = async <T>(file: string): Promise<T> => await import(join(dist, file)) as T
  const [keyring, seal, id, options, cookieStore, serverDriver, memoryStore, hooks] = await Promise.all([
    load<typeof import('../lib/keyring.js')>('keyring.js'),
    load<typeof import('../lib/seal.js')>('seal.js'),
    load<typeof import('../lib/session-id.js')>('session-id.js'),
    load<typeof import('../lib/options.js')>('options.js'),
    // Builds before 0.2 kept the cookie driver in stores/cookie-store.js: KIT_A may name one.
    load<typeof import('../lib/stores/cookie-driver.js')>('stores/cookie-driver.js')
      .catch(async () => await load<typeof import('../lib/stores/cookie-driver.js')>('stores/cookie-store.js')),
    load<typeof import('../lib/stores/server-driver.js')>('stores/server-driver.js'),
    load<typeof import('../lib/stores/memory-store.js')>('stores/memory-store.js'),
    load<typeof import('../lib/hooks.js')>('hooks.js')
  ])
  return {
    Keyring: keyring.Keyring,
    Sealer: seal.Sealer,
    generateId: id.generateId,
    buildConfig: options.buildConfig,
    CookieDriver: cookieStore.CookieDriver,
    ServerDriver: serverDriver.ServerDriver,
    MemoryStore: memoryStore.MemoryStore,
    onRequest: hooks.onRequest,
    onSend: hooks.onSend
  }
}
