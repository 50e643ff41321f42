import type { Browser, Page } from 'playwright-core'
import t, { type Test } from 'tap'
import type { DemoStore } from '../../examples/demo-server.js'
import { redisSkip, startRedis } from '../helpers/redis-server.js'
import { chromiumSkip, launch, personAt, PNG_MAGIC, screenshot, scriptCookies, startDemo, submit, submitLogin, textOf } from '../helpers/browser.js'

// A person in a real browser, through the demo: a guest, a login that fails and one that works, the
// pages behind the guards, a visit counter, a cart, and logging out. The session cookie is HttpOnly
// all along: the page's scripts never see it.

// Launching chromium and walking every page on three stores takes tens of seconds on a busy machine.
t.setTimeout(240_000)

/** Only the cookie-store run writes the screenshots of docs/demo.md (one set, not one per store). */
async function shot (t: Test, page: Page, store: DemoStore, name: string, fullPage = false): Promise<void> {
  if (store !== 'cookie') return
  const png = await screenshot(page, name, fullPage)
  t.ok(png.subarray(0, 8).equals(PNG_MAGIC), `screenshot ${name} is a PNG`)
}

async function journey (t: Test, browser: Browser, base: string, store: DemoStore): Promise<void> {
  const page = await personAt(t, browser, base)
  const context = page.context()

  const home = await page.goto('/')
  t.equal(home?.status(), 200)
  t.equal(await textOf(page, 'nav-user'), 'Guest', 'the home page shows a guest')
  t.match(await textOf(page, 'greeting'), /^Hello, guest\./)
  t.same(await context.cookies(), [], 'reading pages as a guest sets no cookie')
  await shot(t, page, store, 'home-guest')

  await page.goto('/dashboard')
  t.equal(new URL(page.url()).pathname, '/login', 'the dashboard sends a guest to the login form')
  t.equal(new URL(page.url()).searchParams.get('next'), '/dashboard')
  t.ok(await page.isVisible('#login-form'))
  t.ok(await page.isVisible('#login-required'))

  t.equal(await submitLogin(page, 'alice', 'not-her-password'), 401)
  t.equal(await textOf(page, 'login-error'), 'Wrong username or password.', 'a wrong password shows an error')
  t.equal(await page.inputValue('#username'), 'alice', 'the username stays filled in')
  t.equal(await textOf(page, 'nav-user'), 'Guest')
  await shot(t, page, store, 'login-error')

  t.equal(await submitLogin(page, 'alice', 'password'), 303)
  t.equal(new URL(page.url()).pathname, '/dashboard', 'after login the person lands where they were going')
  t.match(await textOf(page, 'dashboard-user'), /^Signed in as alice with the role user\./)
  t.equal(await textOf(page, 'store-name'), store)
  t.equal(await textOf(page, 'nav-user'), 'alice user', 'the nav shows who is logged in and their role')
  t.match(await textOf(page, 'flash'), /Logged in as alice\./)
  await shot(t, page, store, 'dashboard')

  const sid = (await context.cookies()).find((c) => c.name === 'sid')
  t.ok(sid, 'the browser holds the session cookie')
  t.equal(sid?.httpOnly, true)
  t.equal(sid?.sameSite, 'Lax')
  t.notMatch(await scriptCookies(page), /(^|;\s*)sid=/, 'document.cookie never shows the session cookie')

  const admin = await page.goto('/admin')
  t.equal(admin?.status(), 403)
  t.ok(await page.isVisible('#error-403'), 'alice gets the 403 page at /admin')
  t.notOk(await page.isVisible('#admin-panel'))
  await shot(t, page, store, 'admin-403')

  await page.goto('/preferences')
  t.equal(await textOf(page, 'visits'), '1')
  await page.reload()
  t.equal(await textOf(page, 'visits'), '2')
  await page.goto('/')
  await page.goto('/preferences')
  t.equal(await textOf(page, 'visits'), '3', 'the preferences page counts visits')

  await page.goto('/cart')
  t.ok(await page.isVisible('#cart-empty'))
  await submit(page, '#add-1')
  await submit(page, '#add-2')
  await submit(page, '#add-1')
  t.equal(await textOf(page, 'cart-count'), '3')
  t.equal(await page.locator('#cart-items tbody tr').count(), 2)
  t.equal(await textOf(page, 'cart-total'), '$33.99', 'two bags of beans and a mug')
  await shot(t, page, store, 'cart', true)
  await submit(page, '#cart-clear')
  t.ok(await page.isVisible('#cart-empty'), 'the cart is empty after clearing it')
  t.equal(await textOf(page, 'cart-count'), '0')

  t.notMatch(await scriptCookies(page), /(^|;\s*)sid=/, 'still hidden from scripts after many writes')

  await submit(page, '#logout')
  t.equal(new URL(page.url()).pathname, '/')
  t.equal(await textOf(page, 'nav-user'), 'Guest', 'logged out: a guest again')
  t.match(await textOf(page, 'flash'), /You have been logged out\./)
  await page.goto('/dashboard')
  t.equal(new URL(page.url()).pathname, '/login', 'the dashboard is closed again')
}

async function storeSuite (t: Test, store: DemoStore, redisUrl?: string): Promise<void> {
  const browser = await launch(t)
  const base = await startDemo(t, store, redisUrl)
  await journey(t, browser, base, store)
}

const skip = chromiumSkip()

for (const store of ['cookie', 'memory'] as const) {
  t.test(`a person in chromium through the demo on the ${store} store`, { skip }, async (t) => {
    await storeSuite(t, store)
  })
}

t.test('a person in chromium through the demo on the redis store', { skip: skip === false ? redisSkip() : skip }, async (t) => {
  const redis = await startRedis(t)
  await storeSuite(t, 'redis', redis.url)
})
