// The case that motivated routes without sessions: a page and its 20 static assets, loaded with the
// session cookie, cost one store read (the page's), not 21. @fastify/static is registered inside a
// withoutSessions scope: its routes are not the app's to annotate, and they need no change.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fastifyStatic from '@fastify/static'
import t, { type Test } from 'tap'
import { MemoryStore, withoutSessions, type SessionStore } from '../../lib/index.js'
import { build, loginRoutes, loose } from '../helpers/index.js'
import { BrowserJar, listen } from '../helpers/http.js'
import { countReads, redisStore } from '../helpers/plugin-stores.js'
import { redisSkip } from '../helpers/redis-server.js'

const ASSETS = Array.from({ length: 20 }, (_, i) => `asset-${i}.css`)

function assetDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'fsk-static-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  for (const name of ASSETS) writeFileSync(join(dir, name), `/* ${name} */ body { color: black }\n`)
  return dir
}

async function pageWithAssets (t: Test, store: SessionStore): Promise<void> {
  const counting = countReads(store)
  const root = assetDir(t)
  const app = await build(t, { store: counting }, async (app) => {
    loginRoutes(app)
    app.get('/', async (request, reply) => {
      const links = ASSETS.map((a) => `<link rel="stylesheet" href="/assets/${a}">`).join('')
      return await reply.type('text/html').send(`<!doctype html>${links}<p>hello ${String(loose(request).get('userId'))}</p>`)
    })
    await app.register(async (assets) => {
      await assets.register(withoutSessions)
      await assets.register(fastifyStatic, { root, prefix: '/assets/' })
    })
  })
  const base = await listen(app)
  const jar = new BrowserJar()
  await jar.fetch(`${base}/login`)
  t.ok(jar.get('sid'))

  counting.reads = 0
  const page = await jar.fetch(`${base}/`)
  const html = await page.text()
  t.match(html, /hello alice/)
  const hrefs = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1] as string)
  t.equal(hrefs.length, 20)
  const assets = await Promise.all(hrefs.map(async (href) => await jar.fetch(`${base}${href}`)))
  for (const res of assets) {
    t.equal(res.status, 200)
    t.same(res.headers.getSetCookie(), [], 'no Set-Cookie on a static file')
    await res.text()
  }
  t.equal(counting.reads, 1, 'the page and its 20 assets cost exactly one store read')
}

t.test('memory store: a page and its 20 static assets cost one store read', async (t) => {
  await pageWithAssets(t, new MemoryStore())
})

t.test('redis store: a page and its 20 static assets cost one store read', { skip: redisSkip() }, async (t) => {
  await pageWithAssets(t, await redisStore(t) as SessionStore)
})
