import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'

// The package as `npm pack` ships it, installed into throwaway apps outside the repository: shared by
// the import-forms test and the latest-install canary.

export const ROOT = resolve(import.meta.dirname, '..', '..')
export const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
const run = promisify(execFile)

/**
 * The environment for the child processes. tap's loaders and coverage hooks must not follow us into
 * them: coverage of the packed copy would be mapped back onto lib/ and blur the coverage gate.
 */
export const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) =>
  !/^(NODE_OPTIONS|NODE_V8_COVERAGE|TAP_|_TAPJS_|TS_NODE_)/.test(key)))
env.npm_config_update_notifier = 'false'
env.npm_config_loglevel = 'error'

/** Runs `file` with `args` in `cwd`; its stdout. */
export async function sh (cwd: string, file: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<string> {
  const { stdout } = await run(file, args, { cwd, env: { ...env, ...extraEnv }, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 })
  return stdout
}

/**
 * Packs the package as it is built in dist/ (built first if lib/ or bin/ is newer, as the `test:*`
 * scripts do; `npm test` builds before any test runs) from a copy in `dir`/pkg, so that packing
 * touches nothing in the repository; the tarball's path.
 */
export async function packTarball (dir: string): Promise<string> {
  const pkg = join(dir, 'pkg')
  mkdirSync(pkg)
  await sh(ROOT, process.execPath, [join(ROOT, 'scripts', 'build-if-needed.js')])
  for (const file of ['package.json', 'README.md', 'LICENSE', 'dist']) cpSync(join(ROOT, file), join(pkg, file), { recursive: true })
  // --ignore-scripts: the prepare script (the build) has no sources to work on in this copy.
  await sh(pkg, 'npm', ['pack', '--ignore-scripts', '--pack-destination', dir])
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))
  if (tarball === undefined) throw new Error('npm pack wrote no tarball')
  return join(dir, tarball)
}

/** An empty app in `dir` (created) with `npm install` of `specs` and `flags`; the app's folder. */
export async function installApp (dir: string, specs: string[], flags: string[] = []): Promise<string> {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }))
  await sh(dir, 'npm', ['install', ...specs, ...flags])
  return dir
}

/** The version of `name` installed in the app at `dir`. */
export function installedVersion (dir: string, name: string): string {
  return (JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version
}
