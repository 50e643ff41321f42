import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, join, relative, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import t from 'tap'

/**
 * The whole-suite run (`npm test`, `npx tap` with no files: package.json's tap `include` is
 * test/groups) starts one test process per group file in test/groups instead of one per test file.
 * A test process pays about two CPU-seconds before its first test (tap, its loaders, Fastify, the
 * library): with one per file, that was most of the suite's time on two cores. A group runs its
 * test files one after the other in one process, each as it runs alone (see runGroup), so
 * `npx tap test/x/y.test.ts` still runs one file by itself, and the tests are the same.
 *
 * Which file runs in which group is computed from the names, never listed:
 * - `alone.<folder>.<name>.test.ts` runs test/<folder>/<name>.test.ts by itself: the slow files
 *   that wait on a browser, servers or npm, in a process of their own beside the groups (named so
 *   that tap, which starts files in name order, starts them first);
 * - every other test file under test/ is dealt out, in name order, to the `shared-<n>.test.ts`
 *   files. A new test file is always run; test/house/test-groups.test.ts checks the partition.
 */

export const ROOT = resolve(import.meta.dirname, '..', '..')
const TEST = join(ROOT, 'test')
const GROUPS = join(TEST, 'groups')
const TIMES = join(ROOT, '.tap', 'test-times')

/** How long one test file took, and the CPU time it cost (with the processes it started and waited for). */
export interface FileTime { file: string, ms: number, cpuMs: number }

/** Every test file under test/ but the group files, relative to the root, in name order. */
export function testFiles (dir = TEST): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name)
    if (e.isDirectory()) return path === GROUPS || e.name === 'fixtures' ? [] : testFiles(path)
    return e.name.endsWith('.test.ts') ? [relative(ROOT, path)] : []
  }).sort()
}

/** The group files, relative to the root, in name order. */
export function groupFiles (): string[] {
  return readdirSync(GROUPS).filter((f) => f.endsWith('.test.ts')).sort().map((f) => join('test', 'groups', f))
}

/** The test file an `alone.<folder>.<name>.test.ts` group runs; undefined for a shared group. */
export function aloneFile (group: string): string | undefined {
  const [, folder, name] = /^alone\.([^.]+)\.(.+)\.test\.ts$/.exec(basename(group)) ?? []
  return folder === undefined || name === undefined ? undefined : join('test', folder, `${name}.test.ts`)
}

/** Each group file with the test files it runs. */
export function partition (): Map<string, string[]> {
  const groups = groupFiles()
  const plan = new Map(groups.map((g) => [g, [] as string[]]))
  const alone = new Set<string>()
  for (const group of groups) {
    const file = aloneFile(group)
    if (file !== undefined) {
      plan.get(group)?.push(file)
      alone.add(file)
    }
  }
  const shared = groups.filter((g) => aloneFile(g) === undefined).map((g) => plan.get(g) ?? [])
  testFiles().filter((f) => !alone.has(f)).forEach((f, i) => shared[i % shared.length]?.push(f))
  return plan
}

/**
 * The CPU time of this process (every thread) and of the child processes it has waited for (the
 * servers, browsers and programs a test starts and stops), in milliseconds; on Linux, where
 * /proc/self/stat has the children's (in clock ticks of 10 ms), else this process's only.
 */
function cpuMs (): number {
  const { user, system } = process.cpuUsage()
  let children = 0
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    children = (Number(fields[13]) + Number(fields[14])) * 10
  } catch {}
  return (user + system) / 1000 + children
}

/**
 * Runs the group of the calling group file (its `import.meta.filename`): its test files, see
 * runFiles; how long each took and the CPU time it cost are written to .tap/test-times/<group>.json,
 * where scripts/slowest-tests.js finds the slowest files of the run.
 */
export async function runGroup (groupFile: string): Promise<void> {
  const files = partition().get(relative(ROOT, groupFile))
  if (files === undefined) throw new Error(`${groupFile} is not a group file under test/groups`)
  const times = await runFiles(files)
  mkdirSync(TIMES, { recursive: true })
  writeFileSync(join(TIMES, `${basename(groupFile, '.test.ts')}.json`), `${JSON.stringify(times, null, 2)}\n`)
}

/**
 * Runs test files (relative to the root) one after the other in this process, each as when it runs
 * alone. A file is imported (its top-level code registers its tests on the process's root test), its
 * tests run, then its teardowns on the root test run, last registered first, as tap runs them at the
 * end of a process: so no file's servers or apps outlive it, and no teardown turns on tap's "end the
 * root test when idle" while the next file is still being imported. A file that throws while it loads
 * fails by name, and the next file runs. The root test's time limit is reset for each file to the
 * suite's per-file limit (package.json's tap `timeout`), which the file may change for itself with
 * `t.setTimeout`. Returns how long each file took and the CPU time it cost.
 */
export async function runFiles (files: string[]): Promise<FileTime[]> {
  const perFile = Number(process.env.TAP_TIMEOUT ?? 120) * 1000
  const { teardown } = t
  const times: FileTime[] = []
  for (const file of files) {
    const started = performance.now()
    const cpuStarted = cpuMs()
    const teardowns: Array<() => unknown> = []
    t.teardown = (fn: () => unknown) => { teardowns.push(fn) }
    t.setTimeout(perFile)
    try {
      await import(pathToFileURL(join(ROOT, file)).href).catch((err: unknown) => { t.fail(`${file} loads`, { cause: err }) })
      while (!t.idle) await new Promise((resolve) => t.once('idle', resolve))
    } finally {
      t.teardown = teardown
    }
    for (let fn = teardowns.pop(); fn !== undefined; fn = teardowns.pop()) {
      try {
        await fn()
      } catch (err) {
        t.fail(`a teardown of ${file}`, { cause: err })
      }
    }
    times.push({ file, ms: Math.round(performance.now() - started), cpuMs: Math.round(cpuMs() - cpuStarted) })
  }
  return times
}
