// docs/errors.md holds the one table of the plugin's error codes. It is compared with lib/errors.ts
// both ways, code and class, so that a new error cannot go undocumented and a removed one cannot
// linger in the docs.
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import t from 'tap'
import * as errors from '../../lib/errors.js'

const ROOT = resolve(import.meta.dirname, '..', '..')

/** The rows of the page's first table whose header starts with `| code |`, as [code, class name]. */
export function errorTable (markdown: string): Array<[code: string, className: string]> {
  const lines = markdown.split('\n')
  const start = lines.findIndex((l) => l.startsWith('| code |'))
  if (start === -1) throw new Error('no "| code |" table')
  const rows: Array<[string, string]> = []
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break
    const cells = line.split('|').map((c) => c.trim())
    const code = /^`(FST_SESSION_\w+)`$/.exec(cells[1] ?? '')?.[1]
    const className = /^`errors\.(\w+)`$/.exec(cells[2] ?? '')?.[1]
    if (code === undefined || className === undefined) throw new Error(`a row that is not \`CODE\` | \`errors.Class\`: ${line}`)
    rows.push([code, className])
  }
  return rows
}

/** Every code created in lib/errors.ts, read from its source, exported or not. */
function createdCodes (source: string): string[] {
  return [...source.matchAll(/createError\(\s*'(FST_SESSION_\w+)'/g)].map((m) => m[1] as string)
}

const byCode = (a: [string, string], b: [string, string]): number => a[0].localeCompare(b[0])

t.test('the table parser', async (t) => {
  const md = 'x\n| code | class | status | when |\n|---|---|---|---|\n| `FST_SESSION_A` | `errors.AError` | 500 | a |\n\n| code | other |\n'
  t.same(errorTable(md), [['FST_SESSION_A', 'AError']])
  t.throws(() => errorTable('| code |\n|---|\n| A | B |\n'), /not `CODE`/)
  t.throws(() => errorTable('no table'), /no "\| code \|" table/)
  t.same(createdCodes("createError(\n  'FST_SESSION_X',\n 'm')\ncreateError('FST_SESSION_Y', 'n')"), ['FST_SESSION_X', 'FST_SESSION_Y'])
})

t.test('docs/errors.md lists every error of lib/errors.ts, and nothing else', async (t) => {
  const documented = errorTable(readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8')).sort(byCode)
  const exported = Object.entries(errors).map(([name, E]): [string, string] => [new E().code, name]).sort(byCode)
  t.same(documented, exported, 'each exported class with its code, both ways')
  const created = createdCodes(readFileSync(join(ROOT, 'lib', 'errors.ts'), 'utf8')).sort()
  t.same(created, exported.map(([code]) => code), 'every code created in lib/errors.ts is exported')
  t.equal(new Set(created).size, created.length, 'no code is created twice')
})
