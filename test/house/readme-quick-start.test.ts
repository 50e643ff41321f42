// The README's quick start as a new user meets it: its first JavaScript block is the app, and its
// console block is what curl prints against that app, line for line (`<...>` stands for a value that
// changes on every run: the sealed cookie, the date). The app runs with 'fastify-session-kit' pointed
// at lib/ and Fastify at the docs shim, which listens on a free port instead of 3000.
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'
import { made } from '../helpers/docs-fastify.js'
import { SECRET } from '../helpers/index.js'

const ROOT = resolve(import.meta.dirname, '..', '..')
const CURL = '/usr/bin/curl'
const run = promisify(execFile)

/** The quick start of a README: its section's first js block, and the console session after it. */
export function quickStart (readme: string): { app: string, session: Array<[command: string, prints: string]> } {
  const section = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('\n## ', readme.indexOf('## Quick start') + 1))
  const app = /```js\n([\s\S]*?)```/.exec(section)?.[1]
  const console = /```console\n([\s\S]*?)```/.exec(section)?.[1]
  if (app === undefined || console === undefined) throw new Error('the quick start needs a js block and a console block')
  const session: Array<[string, string]> = []
  for (const line of console.split('\n').slice(0, -1)) {
    if (line.startsWith('$ ')) session.push([line.slice(2), ''])
    else if (session.length > 0) (session[session.length - 1] as [string, string])[1] += `${line}\n`
  }
  return { app, session }
}

/** Whether curl's output is what the page shows: the same lines, `<...>` matching any text. */
export function sameOutput (printed: string, shown: string): boolean {
  const pattern = shown.split(/<[^>]+>/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+')
  return new RegExp(`^${pattern}$`).test(printed)
}

function curlSkip (): false | string {
  if (existsSync(CURL)) return false
  const reason = `${CURL} not found: install the Debian package "curl" to run the README's quick start`
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: failing instead of skipping)`)
  console.error(`\n### SKIPPING THE README CURL TEST: ${reason}\n`)
  return reason
}

t.test('the quick-start parser and matcher', async (t) => {
  const md = '## Quick start\n```js\nA\n```\n```console\n$ one\nout 1\n\n{}\n$ two\nout 2\n```\n## Next\n```js\nB\n```\n'
  t.same(quickStart(md), { app: 'A\n', session: [['one', 'out 1\n\n{}\n'], ['two', 'out 2\n']] })
  t.throws(() => quickStart('## Quick start\nnothing\n## Next\n'), /needs a js block/)
  t.ok(sameOutput('set-cookie: sid=abc; Max-Age=1\n', 'set-cookie: sid=<value>; Max-Age=1\n'))
  t.notOk(sameOutput('set-cookie: sid=abc; Max-Age=2\n', 'set-cookie: sid=<value>; Max-Age=1\n'))
  t.notOk(sameOutput('a.b\n', 'a*b\n'), 'the rest is literal')
})

t.test('the README quick start: the app runs, and curl prints what the page shows', { skip: curlSkip() }, async (t) => {
  const { app, session } = quickStart(readFileSync(join(ROOT, 'README.md'), 'utf8'))
  t.ok(session.length >= 2, 'a cookie set, then sent back')
  process.env.SESSION_SECRET ??= SECRET
  const dir = join(ROOT, '.tap', `readme-quick-start-${process.pid}`)
  mkdirSync(dir, { recursive: true })
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const lib = pathToFileURL(join(ROOT, 'lib', 'index.js')).href
  const shim = pathToFileURL(join(ROOT, 'test', 'helpers', 'docs-fastify.js')).href
  const file = join(dir, 'app.ts')
  writeFileSync(file, `${app.replaceAll("from 'fastify-session-kit'", `from '${lib}'`).replaceAll("from 'fastify'", `from '${shim}'`)}\nexport {}\n`)
  await import(pathToFileURL(file).href)
  const apps = made.splice(0)
  t.teardown(async () => { await Promise.all(apps.map(async (a) => await a.close())) })
  t.equal(apps.length, 1, 'the block makes one app')
  const port = ((apps[0] as (typeof apps)[number]).server.address() as AddressInfo).port
  const cwd = mkdtempSync(join(tmpdir(), 'fsk-readme-'))
  t.teardown(() => rmSync(cwd, { recursive: true, force: true }))
  for (const [command, shown] of session) {
    const { stdout } = await run('sh', ['-c', command.replaceAll('127.0.0.1:3000', `127.0.0.1:${port}`)], { cwd })
    // curl -i prints header lines ending in CRLF; a JSON body ends without a newline.
    const printed = stdout.replaceAll('\r\n', '\n')
    t.ok(sameOutput(printed.endsWith('\n') ? printed : `${printed}\n`, shown), `${command}\n--- printed:\n${printed}\n--- the page shows:\n${shown}`)
  }
})
