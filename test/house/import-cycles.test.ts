import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import t from 'tap'

// Types and values flow one way through lib/: the entry above the hooks, above the session, above the
// drivers, above crypto. A cycle (type imports count: they tie the modules' meanings together) would
// mean two modules that can only be understood together.
const LIB = resolve(import.meta.dirname, '..', '..', 'lib')

function sources (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [])
}

/** The lib/ modules each module imports (values and types, static `import`/`export ... from` only). */
export function importGraph (): Map<string, string[]> {
  const graph = new Map<string, string[]>()
  for (const file of sources(LIB)) {
    const text = readFileSync(file, 'utf8')
    const targets = [...text.matchAll(/^(?:import|export)\b[^;]*?from\s+'(\.{1,2}\/[^']+)'/gms)]
      .map((m) => relative(LIB, resolve(dirname(file), (m[1] as string).replace(/\.js$/, '.ts'))))
    graph.set(relative(LIB, file), targets)
  }
  return graph
}

/** Every cycle found by a depth-first walk, each as the list of modules around it. */
export function cycles (graph: Map<string, string[]>): string[][] {
  const found: string[][] = []
  const done = new Set<string>()
  const path: string[] = []
  const visit = (node: string): void => {
    const at = path.indexOf(node)
    if (at !== -1) {
      found.push([...path.slice(at), node])
      return
    }
    if (done.has(node)) return
    path.push(node)
    for (const next of graph.get(node) ?? []) visit(next)
    path.pop()
    done.add(node)
  }
  for (const node of graph.keys()) visit(node)
  return found
}

t.test('the graph sees imports of every form this codebase uses', async (t) => {
  const graph = importGraph()
  t.ok(graph.get('index.ts')?.includes('hooks.ts'), 'a value import')
  t.ok(graph.get('index.ts')?.includes('augment.ts'), 'a side-effect import')
  t.ok(graph.get('driver.ts')?.includes('options.ts'), 'a type import')
  t.ok(graph.get('stores/server-driver.ts')?.includes('driver.ts'), 'a parent-folder import')
})

t.test('the cycle finder finds a cycle through type imports', async (t) => {
  t.same(cycles(new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']]])), [['a.ts', 'b.ts', 'c.ts', 'a.ts']])
  t.same(cycles(new Map([['a.ts', ['b.ts']], ['b.ts', []]])), [])
})

t.test('lib/ has no import cycles, type imports included', async (t) => {
  t.same(cycles(importGraph()).map((c) => c.join(' -> ')), [])
})
