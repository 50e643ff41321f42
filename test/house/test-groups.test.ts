import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { ROOT, aloneFile, groupFiles, partition, testFiles } from '../helpers/groups.js'

// The whole-suite run starts one process per group file in test/groups (test/helpers/groups.ts): a
// test file that no group runs would silently never run, and one that two groups run would run twice.

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { tap: { include: string[] } }

t.test('the whole-suite run is the group files', async (t) => {
  t.same(pkg.tap.include, ['test/groups/*.test.ts'], "package.json's tap include names the groups only")
  const plan = partition()
  t.same([...plan.keys()], groupFiles(), 'every group file has a plan')
  for (const group of groupFiles()) {
    t.equal(readFileSync(join(ROOT, group), 'utf8'), "import { runGroup } from '../helpers/groups.js'\n\nawait runGroup(import.meta.filename)\n",
      `${group} is the one-line group runner`)
  }
})

t.test('every test file runs in exactly one group', async (t) => {
  const ran = [...partition().values()].flat()
  t.same(ran.slice().sort(), testFiles(), 'the groups together run each test file once')
  t.ok(testFiles().length > 150, 'and they are the whole suite')
  t.notOk(testFiles().some((f) => f.startsWith('test/groups/')), 'a group file is not a test file of a group')
})

t.test('an alone group runs its one file, which exists; the shared groups are even', async (t) => {
  const plan = partition()
  const alone = groupFiles().filter((g) => aloneFile(g) !== undefined)
  t.ok(alone.length > 0, 'the slow files have groups of their own')
  for (const group of alone) {
    t.same(plan.get(group), [aloneFile(group)], `${group} runs ${String(aloneFile(group))} only`)
    t.ok(testFiles().includes(aloneFile(group) as string), `${String(aloneFile(group))} is a test file`)
  }
  const sizes = groupFiles().filter((g) => aloneFile(g) === undefined).map((g) => plan.get(g)?.length ?? 0)
  t.ok(sizes.length > 1, 'several shared groups')
  t.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `the shared groups differ by one file at most (${sizes.join(', ')})`)
  t.equal(aloneFile('test/groups/alone.e2e.admin-journey.test.ts'), join('test', 'e2e', 'admin-journey.test.ts'), 'alone.<folder>.<name> names test/<folder>/<name>.test.ts')
  t.equal(aloneFile('test/groups/shared-1.test.ts'), undefined, 'a shared group names no file')
})

/**
 * Runs a fixture group runner of test/fixtures/groups in a process of its own, as test/groups' files
 * run; tap's variables for this test process are left out, so the child's tap reports on its own
 * stdout. Its stdout, and its exit code when it failed.
 */
async function runFixture (runner: string, extraEnv: Record<string, string> = {}): Promise<{ stdout: string, code: number }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TAP') && k !== 'NODE_V8_COVERAGE'))
  return await promisify(execFile)(process.execPath, [`--import=${join(ROOT, 'scripts', 'ts-loader.mjs')}`, `test/fixtures/groups/${runner}`],
    { cwd: ROOT, env: { ...env, ...extraEnv, TAP_TYPE_STRIP_ONLY: '1' } })
    .then(({ stdout }) => ({ stdout, code: 0 }), (err: { code: number, stdout: string }) => ({ stdout: err.stdout, code: err.code }))
}

t.test('a group runs its files in turn: the root teardowns of each before the next, a file that throws at load fails by name and the rest still run', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fsk-groups-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const log = join(dir, 'log')
  const failed = await runFixture('run.mjs', { GROUP_LOG: log })
  t.not(failed.code, 0, 'the group fails')
  const tap = failed.stdout
  t.same(readFileSync(log, 'utf8').trim().split('\n'), [
    'first: test', 'first: teardown 2', 'first: teardown 1',
    'broken: test', 'broken: teardown',
    'last: test'
  ], "each file's tests, then its root teardowns last first, before the next file's tests")
  t.match(tap, /not ok \d+ - test\/fixtures\/groups\/broken\.test\.mjs loads/, 'the file that threw at load fails by name')
  t.match(tap, /not ok \d+ - a teardown of test\/fixtures\/groups\/last\.test\.mjs/, 'a teardown that throws fails by its file')
  t.match(tap, /^ok \d+ - last test/m, 'the file after the broken one ran, and passed')
  t.match(tap, /# timed first\.test\.mjs, broken\.test\.mjs, last\.test\.mjs/, 'every file is timed')
})

t.test('two files of one group that use the servers of test/helpers/server-stores.ts each get their own', async (t) => {
  const { stdout, code } = await runFixture('run-stores.mjs')
  t.equal(code, 0, 'the group passes')
  t.match(stdout, /# \{ total: \d+, pass: \d+ \}/, 'with no failure')
  t.equal(stdout.match(/^ok \d+ - (redis|postgres): a record set is read back # time=/gm)?.length, 4, 'Redis and PostgreSQL ran in both files')
})
