// examples/README.md cannot drift from the folder: its table lists every example with the command its
// header gives, and every relative link of the page leads to a file that exists.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import t from 'tap'

const DIR = resolve(import.meta.dirname, '..', '..', 'examples')
const README = readFileSync(join(DIR, 'README.md'), 'utf8')
const EXAMPLES = readdirSync(DIR).filter((f) => f.endsWith('.ts'))

/** The command that runs `file`, as its header (its leading comment lines) gives it. */
function runCommand (file: string): string {
  return file === 'demo-server.ts' ? 'npm start' : `npx tsx examples/${file}`
}

t.test('every example is in the table, with the command its header gives', async (t) => {
  t.ok(EXAMPLES.length >= 14, 'the examples are all there')
  for (const file of EXAMPLES) {
    const lines = readFileSync(join(DIR, file), 'utf8').split('\n')
    const header = lines.slice(0, lines.findIndex((l) => !l.startsWith('//'))).join('\n')
    const row = README.split('\n').find((l) => l.startsWith(`| [${file}](${file}) |`))
    t.ok(row, `${file} has a row`)
    t.match(header, runCommand(file), `${file}: its header says how to run it`)
    t.match(row, `\`${runCommand(file)}\``, `${file}: the table gives the same command`)
    t.match(readFileSync(join(DIR, file), 'utf8'), /^export async function (build|buildDemo) \(/m, `${file}: exports the app builder its test uses`)
  }
})

t.test('every relative link of examples/README.md resolves', async (t) => {
  const prose = README.replace(/^```[\s\S]*?^```/gm, '')
  const targets = [...prose.matchAll(/\]\(([^)\s#]+)[^)]*\)/g)].map((m) => m[1] as string).filter((l) => !/^[a-z]+:/.test(l))
  t.ok(targets.length >= EXAMPLES.length)
  t.same(targets.filter((l) => !existsSync(resolve(dirname(join(DIR, 'README.md')), l))), [])
})
