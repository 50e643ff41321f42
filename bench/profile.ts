/**
 * `tsx bench/profile.ts <file.cpuprofile> [top]`: the functions with the most self time in a V8 CPU
 * profile (as written by `PROFILE=1 npm run bench -- http`), to see where a server's time goes.
 */
import { readFileSync } from 'node:fs'

interface Node {
  id: number
  callFrame: { functionName: string, url: string, lineNumber: number }
  hitCount: number
}
interface Profile { nodes: Node[], samples: number[], timeDeltas: number[] }

const file = process.argv[2]
if (file === undefined) throw new Error('usage: tsx bench/profile.ts <file.cpuprofile> [top]')
const top = Number(process.argv[3] ?? 25)
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const self = new Map<string, number>()
let total = 0
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0
  const f = (byId.get(id) as Node).callFrame
  const where = f.url === '' ? '' : ` ${f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(lib|dist)\//, '$1/')}:${f.lineNumber + 1}`
  const key = `${f.functionName === '' ? '(anonymous)' : f.functionName}${where}`
  self.set(key, (self.get(key) ?? 0) + dt)
  total += dt
})
const idle = self.get('(idle)') ?? 0
console.log(`busy ${((total - idle) / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms sampled`)
for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${(100 * us / (total - idle)).toFixed(1).padStart(5)}%  ${key}`)
}
