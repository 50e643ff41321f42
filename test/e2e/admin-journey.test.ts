import type { Browser } from 'playwright-core'
import t, { type Test } from 'tap'
import type { DemoStore } from '../../examples/demo-server.js'
import { redisSkip, startRedis } from '../helpers/redis-server.js'
import { chromiumSkip, launch, personAt, PNG_MAGIC, screenshot, scriptCookies, startDemo, submit, submitLogin, textOf } from '../helpers/browser.js'

// The admin in a real browser: the admin panel asks a guest to log in (the 401 page), the login
// form brings the admin back to it, and the panel opens; the session cookie stays HttpOnly.

t.setTimeout(240_000)

async function adminJourney (t: Test, browser: Browser, base: string, store: DemoStore): Promise<void> {
  const page = await personAt(t, browser, base)

  const guest = await page.goto('/admin')
  t.equal(guest?.status(), 401)
  t.ok(await page.isVisible('#error-401'), 'a guest at /admin gets the 401 page')
  await submit(page, '#error-login')
  t.equal(new URL(page.url()).pathname, '/login')
  t.equal(new URL(page.url()).searchParams.get('next'), '/admin')

  t.equal(await submitLogin(page, 'admin', 'password'), 303)
  t.equal(new URL(page.url()).pathname, '/admin', 'the login form brings the admin back to the panel')
  t.ok(await page.isVisible('#admin-panel'), 'admin reaches the admin panel')
  t.notOk(await page.isVisible('#error-403'))
  t.equal(await textOf(page, 'nav-user'), 'admin admin')
  t.equal(await textOf(page, 'nav-role'), 'admin')
  if (store === 'cookie') {
    t.ok(await page.isVisible('#no-revocation'), 'the cookie store says it keeps no list of sessions')
    const png = await screenshot(page, 'admin-panel')
    t.ok(png.subarray(0, 8).equals(PNG_MAGIC))
  } else {
    t.equal(await textOf(page, 'sessions-admin'), '1', "the server store lists the admin's own session")
  }
  t.notMatch(await scriptCookies(page), /(^|;\s*)sid=/, 'document.cookie never shows the session cookie')

  const again = await page.goto('/admin')
  t.equal(again?.status(), 200, 'the panel stays open on the next request')
}

async function storeSuite (t: Test, store: DemoStore, redisUrl?: string): Promise<void> {
  const browser = await launch(t)
  const base = await startDemo(t, store, redisUrl)
  await adminJourney(t, browser, base, store)
}

const skip = chromiumSkip()

for (const store of ['cookie', 'memory'] as const) {
  t.test(`the admin in chromium through the demo on the ${store} store`, { skip }, async (t) => {
    await storeSuite(t, store)
  })
}

t.test('the admin in chromium through the demo on the redis store', { skip: skip === false ? redisSkip() : skip }, async (t) => {
  const redis = await startRedis(t)
  await storeSuite(t, 'redis', redis.url)
})
