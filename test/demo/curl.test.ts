import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { demo } from '../helpers/demo-client.js'

const CURL = '/usr/bin/curl'
const run = promisify(execFile)

/**
 * The curl session exactly as docs/demo.md shows it: the console block under "## With curl", each
 * `$ ` line a command, the lines after it what it prints. The page's address is
 * http://127.0.0.1:3000; the test swaps in the port it listens on.
 */
function docSession (): Array<readonly [command: string, prints: string]> {
  const page = readFileSync(new URL('../../docs/demo.md', import.meta.url), 'utf8')
  const section = page.slice(page.indexOf('## With curl'))
  const block = /```console\n([\s\S]*?)```/.exec(section)?.[1] ?? ''
  const session: Array<[string, string]> = []
  for (const line of block.split('\n')) {
    if (line.startsWith('$ ')) session.push([line.slice(2), ''])
    else if (line !== '' && session.length > 0) (session[session.length - 1] as [string, string])[1] += `${line}\n`
  }
  return session
}

function curlSkip (): false | string {
  if (existsSync(CURL)) return false
  const reason = `${CURL} not found: install the Debian package "curl" to run the curl session of docs/demo.md`
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: failing instead of skipping)`)
  console.error(`\n### SKIPPING THE CURL TEST: ${reason}\n`)
  return reason
}

t.test('the curl session of docs/demo.md against the demo, command for command', { skip: curlSkip() }, async (t) => {
  const app = await demo(t, 'cookie')
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const dir = mkdtempSync(join(tmpdir(), 'fsk-curl-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const session = docSession()
  t.ok(session.length >= 7, 'the page shows the whole session')
  for (const [command, prints] of session) {
    const { stdout } = await run('sh', ['-c', command.replaceAll('http://127.0.0.1:3000', base)], { cwd: dir })
    // A JSON body ends without a newline; on the page the next prompt starts on its own line.
    t.equal(stdout.endsWith('\n') ? stdout : `${stdout}\n`, prints.replaceAll('http://127.0.0.1:3000', base), command)
  }
  t.ok(existsSync(join(dir, 'jar')), 'curl kept the cookie in ./jar')
})
