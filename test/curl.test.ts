import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { demo } from './demo-client.js'

const CURL = '/usr/bin/curl'
const run = promisify(execFile)

/**
 * The curl session the README shows, command for command, with what each prints. The README's
 * address is http://127.0.0.1:3000; the test swaps in the port it listens on.
 */
const SESSION: ReadonlyArray<readonly [command: string, prints: string]> = [
  ['curl -s -c jar -b jar -H \'Accept: application/json\' http://127.0.0.1:3000/dashboard',
    '{"statusCode":401,"code":"FST_SESSION_UNAUTHORIZED","error":"Unauthorized","message":"Authentication required"}'],
  ['curl -s -c jar -b jar -d username=alice -d password=password -o /dev/null -w \'%{http_code} %{redirect_url}\\n\' http://127.0.0.1:3000/login',
    '303 http://127.0.0.1:3000/dashboard\n'],
  ['curl -s -c jar -b jar -H \'Accept: application/json\' http://127.0.0.1:3000/dashboard',
    '{"user":"alice","role":"user","cartItems":0}'],
  ['curl -s -c jar -b jar http://127.0.0.1:3000/ | grep -o \'Welcome back, <strong>[a-z]*</strong>\'',
    'Welcome back, <strong>alice</strong>\n'],
  ['curl -s -c jar -b jar -H \'Accept: application/json\' -d id=2 http://127.0.0.1:3000/cart/add',
    '{"items":[{"id":2,"name":"Ceramic mug","price":8.99,"qty":1,"subtotal":8.99}],"count":1,"total":8.99}'],
  ['curl -s -c jar -b jar -X POST -o /dev/null -w \'%{http_code} %{redirect_url}\\n\' http://127.0.0.1:3000/logout',
    '303 http://127.0.0.1:3000/\n'],
  ['curl -s -c jar -b jar -H \'Accept: application/json\' http://127.0.0.1:3000/dashboard',
    '{"statusCode":401,"code":"FST_SESSION_UNAUTHORIZED","error":"Unauthorized","message":"Authentication required"}']
]

function curlSkip (): false | string {
  if (existsSync(CURL)) return false
  const reason = `${CURL} not found: install the Debian package "curl" to run the README's curl session`
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: failing instead of skipping)`)
  console.error(`\n### SKIPPING THE CURL TEST: ${reason}\n`)
  return reason
}

t.test('the README\'s curl session against the demo, command for command', { skip: curlSkip() }, async (t) => {
  const app = await demo(t, 'cookie')
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const dir = mkdtempSync(join(tmpdir(), 'fsk-curl-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  for (const [command, prints] of SESSION) {
    const { stdout } = await run('sh', ['-c', command.replaceAll('http://127.0.0.1:3000', base)], { cwd: dir })
    t.equal(stdout, prints.replaceAll('http://127.0.0.1:3000', base), command)
  }
  t.ok(existsSync(join(dir, 'jar')), 'curl kept the cookie in ./jar')
})
