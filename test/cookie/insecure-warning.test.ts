import t from 'tap'
import { build, captureLogs, counterRoutes, sessionSetCookie } from '../helpers/index.js'

const WARN = 40

t.test('setting a Secure cookie over plain http logs one warning, once per app', async (t) => {
  const logs = captureLogs('warn')
  const app = await build(t, { cookie: { secure: true } }, counterRoutes, logs.options)
  const first = await app.inject('/count')
  t.match(sessionSetCookie(first), /; Secure;/, 'the cookie is still set as configured')
  await app.inject('/count')
  await app.inject('/count')
  const warnings = logs.lines.filter((l) => l.level === WARN)
  t.equal(warnings.length, 1)
  const value = sessionSetCookie(first)?.split(';')[0]?.slice(4) as string
  t.notOk(JSON.stringify(warnings).includes(value), 'the warning holds no cookie')
})

t.test('no warning over https, nor for secure: auto over http', async (t) => {
  const logs = captureLogs('warn')
  const secure = await build(t, { cookie: { secure: true } }, counterRoutes, { ...logs.options, trustProxy: true })
  await secure.inject({ url: '/count', headers: { 'x-forwarded-proto': 'https' } })
  const auto = await build(t, {}, counterRoutes, logs.options)
  await auto.inject('/count')
  t.equal(logs.lines.filter((l) => l.level === WARN).length, 0)
})

t.test('the warning is per app: a second app warns on its own', async (t) => {
  const logs = captureLogs('warn')
  const a = await build(t, { cookie: { secure: true } }, counterRoutes, logs.options)
  const b = await build(t, { cookie: { secure: true } }, counterRoutes, logs.options)
  await a.inject('/count')
  await b.inject('/count')
  await a.inject('/count')
  t.equal(logs.lines.filter((l) => l.level === WARN).length, 2)
})
