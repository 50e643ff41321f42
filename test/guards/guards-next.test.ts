import net from 'node:net'
import t from 'tap'
import { requireLogin } from '../../lib/index.js'
import { safeNext } from '../../lib/guards.js'
import { build } from '../helpers/index.js'

function rawGet (port: number, target: string): Promise<{ status: number, location: string | undefined }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.end(`GET ${target} HTTP/1.1\r\nHost: app.test\r\nAccept: text/html\r\nConnection: close\r\n\r\n`)
    })
    let data = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => { data += chunk })
    socket.on('error', reject)
    socket.on('close', () => {
      const lines = data.split('\r\n')
      const location = lines.find((l) => l.toLowerCase().startsWith('location:'))
      resolve({ status: Number(lines[0]?.split(' ')[1]), location: location?.slice('location:'.length).trim() })
    })
  })
}

t.test('next is never absolute, over real HTTP with raw request targets', async (t) => {
  const app = await build(t, {}, (app) => {
    app.get('/*', { preHandler: requireLogin({ redirectTo: '/login' }) }, async () => ({ ok: true }))
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as net.AddressInfo).port
  const targets: Array<[string, string]> = [
    ['//evil.example/x', '/'],
    ['/\\evil.example', '/'],
    ['/\\/evil.example', '/'],
    ['/a\\b', '/'],
    ['http://evil.example/x', '/'],
    ['https://evil.example//x', '/'],
    ['/account?tab=1', '/account?tab=1'],
    ['/a/b?next=//evil.example', '/a/b?next=//evil.example']
  ]
  for (const [target, next] of targets) {
    const res = await rawGet(port, target)
    t.equal(res.status, 303, target)
    t.equal(res.location, `/login?next=${encodeURIComponent(next)}`, target)
    const back = new URL(res.location as string, 'https://app.test')
    t.equal(new URL(back.searchParams.get('next') as string, 'https://app.test').origin, 'https://app.test', `${target}: next stays on the site`)
  }
})

t.test('safeNext keeps same-origin relative paths and maps everything else to /', async (t) => {
  const cases: Array<[string, string]> = [
    ['/', '/'],
    ['/dashboard', '/dashboard'],
    ['/a/b?c=d#e', '/a/b?c=d#e'],
    ['/%2F%2Fevil', '/%2F%2Fevil'],
    ['', '/'],
    ['dashboard', '/'],
    ['//evil', '/'],
    ['///evil', '/'],
    ['/\\evil', '/'],
    ['/a\\b', '/'],
    ['http://evil/x', '/'],
    ['javascript:alert(1)', '/'],
    ['/\tevil', '/'],
    ['/a\nb', '/'],
    ['/a\r\nLocation: //evil', '/'],
    ['/\u0000', '/'],
    ['/\u007f', '/']
  ]
  for (const [input, out] of cases) {
    t.equal(safeNext(input), out, JSON.stringify(input))
    t.equal(new URL(safeNext(input), 'https://app.test').origin, 'https://app.test')
  }
})
