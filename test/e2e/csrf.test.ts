import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { chromiumSkip, launch, personAt, startDemo, submit, submitLogin, textOf } from '../helpers/browser.js'

// Cross-site request forgery in a real browser: a page on another port of 127.0.0.1 is another origin
// but the same site, so chromium sends the SameSite=Lax session cookie with its form post. Only the
// CSRF token stops it: the demo answers 403 and the session is unchanged.

t.setTimeout(120_000)

t.test('a form posted to the demo from another origin of the same site is refused', { skip: chromiumSkip() }, async (t) => {
  const browser = await launch(t)
  const base = await startDemo(t, 'cookie')
  const attacker = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    response.end(`<!doctype html><form method="post" action="${base}/preferences">
      <input type="hidden" name="theme" value="dark"><button id="go" type="submit">Win a prize</button></form>`)
  })
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve))
  t.teardown(() => attacker.close())
  const evil = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`

  const page = await personAt(t, browser, base)
  await page.goto('/login')
  t.equal(await submitLogin(page, 'alice', 'password'), 303)
  await page.goto('/preferences')
  t.ok(await page.isChecked('#theme-light'), 'alice has the light theme')

  await page.goto(evil)
  const [response] = await Promise.all([page.waitForResponse((r) => r.url() === `${base}/preferences`), page.click('#go')])
  await page.waitForLoadState()
  t.equal(response.status(), 403, 'the forged post is refused')
  t.ok(await page.isVisible('#error-csrf'), 'with the "form expired" page')
  t.equal(await textOf(page, 'nav-user'), 'alice user', 'the cookie did come along: SameSite=Lax alone would not have stopped it')

  await page.goto('/preferences')
  t.ok(await page.isChecked('#theme-light'), 'the theme is unchanged')
  await page.check('#theme-dark')
  await submit(page, '#theme-save')
  t.ok(await page.isChecked('#theme-dark'), "the demo's own form, with its token, works")
})
