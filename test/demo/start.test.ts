import { spawn } from 'node:child_process'
import t from 'tap'
import { BROWSER_ACCEPT } from '../helpers/demo-client.js'
import { freePort } from '../helpers/redis-server.js'

// What `npm start` runs after building: the demo file itself, configured by the environment.
t.test('the demo file started as a program: listens on PORT/HOST, warns without a secret, stops on SIGTERM', async (t) => {
  const port = await freePort()
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', SESSION_STORE: 'memory' }
  delete env.SESSION_SECRET
  // tsx compiles lib/ its own way: coverage recorded in this child (tap records every child it spawns)
  // would be mapped onto lib/*.ts with other line and branch positions than tap's, and corrupt the
  // report of the whole run. The child is here to prove the program starts, not to cover lib/.
  env._TAPJS_PROCESSINFO_COVERAGE_ = '0'
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/demo-server.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { out += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { out += chunk })
  const until = Date.now() + 30_000
  while (!out.includes('Server listening') && Date.now() < until && child.exitCode === null) {
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  t.match(out, `Server listening at http://127.0.0.1:${port}`)
  t.match(out, /"level":40.*SESSION_SECRET is not set/)
  const home = await fetch(`http://127.0.0.1:${port}/`, { headers: { accept: BROWSER_ACCEPT } })
  t.equal(home.status, 200)
  t.match(await home.text(), /id="nav-user" data-testid="nav-user">Guest</)
  t.notMatch(out, /"level":50/, 'no errors logged')
  child.kill('SIGTERM')
  t.equal(await exited, 0, 'a clean exit on SIGTERM')
})
