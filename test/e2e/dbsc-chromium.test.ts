// Device-bound sessions in a real browser: Debian's Chromium with DBSC turned on for developers and
// software keys, through the demo with SESSION_DBSC on, over https://localhost with a certificate
// Chromium is told to trust by its key hash (DBSC refuses origins whose certificate has errors). It
// registers after login, the dashboard says the session is bound, and when the bound cookie is gone
// Chromium refreshes it with its key before the page loads. The cookies copied out of the browser are
// refused without it.
import { spawnSync } from 'node:child_process'
import { createHash, createPublicKey } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import t, { type Test } from 'tap'
import { buildDemo } from '../../examples/demo-server.js'
import { CHROMIUM, chromiumSkip, submitLogin, textOf } from '../helpers/browser.js'
import { fakeClock, SECRET } from '../helpers/index.js'

t.setTimeout(120_000)

// "Enabled - For developers" of chrome://flags#enable-standard-device-bound-session-credentials (no
// origin trial token, no refresh quota), software keys instead of a TPM, and DevTools' DBSC events.
const FEATURES = [
  'DeviceBoundSessions:RequireOriginTrialTokens/false/RefreshQuota/false/CheckSubdomainRegistration/false/OriginTrialFeedback/true/SchemaVersion/2',
  'EnableBoundSessionCredentialsSoftwareKeysForManualTesting',
  'DeviceBoundSessionsDevTools'
].join(',')

function opensslSkip (): false | string {
  return spawnSync('openssl', ['version']).status === 0 ? false : 'openssl not found: it makes the test certificate'
}

/** A P-256 certificate for localhost, and the base64 SHA-256 of its public key (Chromium's SPKI hash). */
function certificate (t: Test): { key: Buffer, cert: Buffer, spki: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fsk-dbsc-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const made = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'
  ])
  if (made.status !== 0) throw new Error(`openssl failed: ${String(made.stderr)}`)
  const cert = readFileSync(join(dir, 'cert.pem'))
  const spki = createHash('sha256').update(createPublicKey(cert).export({ type: 'spki', format: 'der' })).digest('base64')
  return { key: readFileSync(join(dir, 'key.pem')), cert, spki }
}

t.test('Chromium registers and refreshes a device-bound session', { skip: chromiumSkip() || opensslSkip() }, async (t) => {
  const { key, cert, spki } = certificate(t)
  const app = await buildDemo({ secret: SECRET, store: 'memory', dbsc: true, https: { key, cert }, logger: false })
  const seen: string[] = []
  app.addHook('onResponse', async (request, reply) => {
    if (request.url.startsWith('/dbsc/')) seen.push(`${request.url} ${reply.statusCode}`)
  })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `https://localhost:${(app.server.address() as { port: number }).port}`

  // A profile on disk: in an off-the-record one (Playwright's newContext) Chromium 156 registered and
  // then sent its requests as if it had no device-bound session.
  const profile = mkdtempSync(join(tmpdir(), 'fsk-dbsc-profile-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    baseURL: base,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', `--ignore-certificate-errors-spki-list=${spki}`, `--enable-features=${FEATURES}`]
  })
  t.teardown(async () => {
    await context.close()
    rmSync(profile, { recursive: true, force: true })
  })
  const page = await context.newPage()
  await page.goto('/login?next=%2Fdashboard')
  t.equal(await submitLogin(page, 'alice', 'password'), 303)

  let bound = ''
  // The dashboard after the login loads while Chromium registers, and is let through for that.
  for (let i = 0; i < 50 && !bound.startsWith('this session is bound'); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    await page.goto('/dashboard')
    bound = await textOf(page, 'device-bound')
  }
  t.equal(bound, 'this session is bound to this device', 'Chromium registered its key after the login')
  t.ok(seen.includes('/dbsc/session/register 200'), 'through the registration endpoint')
  const cookies = await context.cookies()
  t.ok(cookies.some((c) => c.name === 'sid_bound' && c.secure && c.httpOnly), 'the bound cookie is set, Secure and HttpOnly')

  const refreshes = seen.filter((s) => s === '/dbsc/session/refresh 200').length
  await context.clearCookies({ name: 'sid_bound' })
  await page.goto('/dashboard')
  t.equal(await textOf(page, 'device-bound'), 'this session is bound to this device', 'the page loads, bound, once the cookie is gone...')
  t.ok(seen.filter((s) => s === '/dbsc/session/refresh 200').length > refreshes, '...because Chromium refreshed it first, with a proof of its key')
  t.ok((await context.cookies()).some((c) => c.name === 'sid_bound'), 'and has a new bound cookie')

  const sid = cookies.find((c) => c.name === 'sid')?.value as string
  fakeClock(t, Date.now()).tick(10_000) // the server's clock only: past the grace for the page loaded while registering
  const stolen = await app.inject({ url: '/dashboard', headers: { cookie: `sid=${sid}`, accept: 'application/json' } })
  t.equal(stolen.statusCode, 401, 'the session cookie copied out of the browser is refused without the bound cookie')
  t.equal(stolen.json().code, 'FST_SESSION_DBSC_UNBOUND')
})
