import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { ROOT, TSC, installApp, packTarball, sh } from '../helpers/pack.js'

// Every way a user imports the package, from what `npm pack` ships: one tarball of the build, packed
// in a temporary folder outside the repository, one install (tarball + fastify + @types/node) shared by
// every consumer in test/fixtures/consumers, each compiled when it is TypeScript, then run.

const FIXTURES = join(ROOT, 'test', 'fixtures', 'consumers')
const require = createRequire(import.meta.url)

// Packing, installing and two tsc runs take a minute on a busy machine.
t.setTimeout(240_000)

/** The installed version of a dev dependency, so the consumer install is served from npm's cache. */
function versionOf (name: string): string {
  return (require(`${name}/package.json`) as { version: string }).version
}

async function install (dir: string): Promise<string> {
  const tarball = await packTarball(dir)
  const consumer = await installApp(join(dir, 'consumer'), [tarball, `fastify@${versionOf('fastify')}`, `@types/node@${versionOf('@types/node')}`],
    ['--no-audit', '--no-fund', '--prefer-offline'])
  cpSync(FIXTURES, consumer, { recursive: true })
  return consumer
}

interface Report { form: string, visits: number[], guarded?: string, defaultIsPlugin?: boolean, namedExports?: string[] }

async function runConsumer (cwd: string, file: string): Promise<Report> {
  return JSON.parse(await sh(cwd, process.execPath, [file])) as Report
}

const dir = mkdtempSync(join(tmpdir(), 'fsk-import-forms-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
const started = Date.now()
const consumer = await install(dir)
t.comment(`built, packed and installed in ${Date.now() - started} ms`)

t.test('CommonJS: require() returns the module namespace, and Fastify registers it as the plugin', async (t) => {
  const report = await runConsumer(consumer, 'cjs/consumer.cjs')
  t.same(report.visits, [1, 2], 'a session set on one request is read on the next')
  t.equal(report.defaultIsPlugin, true, '.default and .fastifySession are the same plugin')
  t.same(report.namedExports, [], 'every named export is there')
})

t.test('ESM: the default import is the plugin, named imports work', async (t) => {
  const report = await runConsumer(consumer, 'esm/consumer.mjs')
  t.same(report.visits, [1, 2])
  t.equal(report.guarded, 'FST_SESSION_UNAUTHORIZED')
})

// Both compiles start at once (the machine has cores to spare while tsc waits on the disk); a failure
// is kept as a value until its test awaits it, so it is never an unhandled rejection.
const compiles = new Map(['node16', 'bundler'].map((resolution) => [
  resolution,
  sh(consumer, process.execPath, [TSC, '-p', `ts-${resolution}`]).then(() => undefined, (err: unknown) => err)
]))

for (const [resolution, compiled] of compiles) {
  t.test(`TypeScript with moduleResolution ${resolution}: compiles strictly against the packed types and runs`, async (t) => {
    const project = `ts-${resolution}`
    const failure = await compiled
    if (failure !== undefined) throw failure
    const report = await runConsumer(consumer, join(project, 'out', 'consumer.js'))
    t.equal(report.form, project, 'the output this project compiled ran')
    t.same(report.visits, [1, 2])
    t.equal(report.guarded, 'FST_SESSION_UNAUTHORIZED')
  })
}
