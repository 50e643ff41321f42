// Every TypeScript/JavaScript block in the README and docs/ carries a marker on the line before its
// fence, so no example can rot unseen:
//   <!-- runnable -->   type-checked (TypeScript) or parsed (JavaScript), then run in this process
//   <!-- typecheck -->  type-checked or parsed only (it needs a service: Redis, a database)
//   <!-- fragment -->   neither: a piece of a larger program (keep these few)
// 'fastify-session-kit' resolves to lib/index.ts (tsconfig paths). A runnable block's Fastify is
// test/helpers/docs-fastify.ts: quiet, listening on a free port, closed after the block ran.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import t from 'tap'
import ts from 'typescript'
import { made } from '../helpers/docs-fastify.js'
import { SECRET } from '../helpers/index.js'

// A TypeScript program per example that declares SessionData: seconds each on a busy machine.
t.setTimeout(240_000)

const ROOT = resolve(import.meta.dirname, '..', '..')
const MARKERS = ['runnable', 'typecheck', 'fragment'] as const
type Marker = typeof MARKERS[number]

export interface Block {
  readonly file: string
  /** The line of the block's first code line in `file`, from 1. */
  readonly line: number
  readonly lang: 'ts' | 'js'
  readonly marker: Marker | undefined
  readonly code: string
}

const LANGS: Record<string, 'ts' | 'js'> = { ts: 'ts', typescript: 'ts', js: 'js', javascript: 'js' }

/** The TypeScript/JavaScript blocks of one markdown text, with the marker on the line before each. */
export function codeBlocks (file: string, text: string): Block[] {
  const lines = text.split('\n')
  const blocks: Block[] = []
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\S*)/.exec(lines[i] as string)
    if (fence === null) continue
    const end = lines.indexOf('```', i + 1)
    if (end === -1) throw new Error(`${file}:${i + 1}: a code block that never closes`)
    const lang = LANGS[fence[1] as string]
    const mark = /^<!-- (\w+) -->$/.exec(lines[i - 1] ?? '')?.[1]
    if (mark !== undefined && !MARKERS.includes(mark as Marker)) throw new Error(`${file}:${i}: unknown marker "${mark}"`)
    if (lang === undefined && mark !== undefined) throw new Error(`${file}:${i}: a marker on a block that is not TypeScript or JavaScript`)
    if (lang !== undefined) blocks.push({ file, line: i + 2, lang, marker: mark as Marker | undefined, code: lines.slice(i + 1, end).join('\n') })
    i = end
  }
  return blocks
}

function markdownFiles (): string[] {
  const docs = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)
  return ['README.md', 'CONTRIBUTING.md', ...docs]
}

const compilerOptions: ts.CompilerOptions = {
  ...ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')) }
  })?.options,
  noEmit: true,
  allowJs: true,
  checkJs: false,
  // Examples show the parameters a reader would write, used or not.
  noUnusedLocals: false,
  noUnusedParameters: false
}

/**
 * Type errors (TypeScript) or syntax errors (JavaScript) of the blocks written to `paths`, as
 * `file:line: message` of the markdown. Blocks that augment SessionData each get a program of their
 * own, since two augmentations with different keys would clash; the rest share one.
 */
function typeErrors (paths: Map<string, Block>): string[] {
  const host = ts.createCompilerHost(compilerOptions)
  const parsed = new Map<string, ts.SourceFile | undefined>()
  const getSourceFile = host.getSourceFile.bind(host)
  host.getSourceFile = (name, language, ...rest) => {
    if (paths.has(name)) return getSourceFile(name, language, ...rest)
    if (!parsed.has(name)) parsed.set(name, getSourceFile(name, language, ...rest))
    return parsed.get(name)
  }
  const alone = [...paths].filter(([, b]) => b.lang === 'ts' && b.code.includes('declare module'))
  const shared = [...paths].filter(([p]) => !alone.some(([q]) => q === p))
  const groups = [...alone.map((entry) => [entry]), shared]
  const errors: string[] = []
  let old: ts.Program | undefined
  for (const group of groups) {
    if (group.length === 0) continue
    const program: ts.Program = ts.createProgram(group.map(([p]) => p), compilerOptions, host, old)
    old = program
    for (const [path, block] of group) {
      const source = program.getSourceFile(path) as ts.SourceFile
      const found = [...program.getSyntacticDiagnostics(source), ...(block.lang === 'ts' ? program.getSemanticDiagnostics(source) : [])]
      for (const d of found) {
        const { line } = source.getLineAndCharacterOfPosition(d.start ?? 0)
        errors.push(`${block.file}:${block.line + line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)
      }
    }
  }
  return errors
}

/** A runnable block as this process runs it: the package and Fastify pointed at lib/ and the docs shim. */
function forRunning (code: string): string {
  const lib = pathToFileURL(join(ROOT, 'lib', 'index.js')).href
  const shim = pathToFileURL(join(ROOT, 'test', 'helpers', 'docs-fastify.js')).href
  return code.replaceAll("from 'fastify-session-kit'", `from '${lib}'`).replaceAll("from 'fastify'", `from '${shim}'`)
}

/** The markdown line a runnable block threw at: its frame in the stack (source-mapped), else the block's first line. */
function thrownAt (err: unknown, path: string, block: Block): number {
  const stack = err instanceof Error ? err.stack ?? '' : ''
  const frame = new RegExp(`${basename(path).replaceAll('.', '\\.')}:(\\d+)`).exec(stack)
  return frame === null ? block.line : block.line + Number(frame[1]) - 1
}

const blocks = markdownFiles().flatMap((file) => codeBlocks(file, readFileSync(join(ROOT, file), 'utf8')))
const dir = join(ROOT, '.tap', `docs-examples-${process.pid}`)
mkdirSync(dir, { recursive: true })
t.teardown(() => rmSync(dir, { recursive: true, force: true }))

const name = (b: Block): string => `${b.file.replaceAll('/', '-').replace(/\.md$/, '')}-L${b.line}`

t.test('the marker parser', async (t) => {
  const md = ['<!-- runnable -->', '```ts', 'a', '```', '', '```js', 'b', '```', '<!-- typecheck -->', '```ts', 'c', '```', '```sh', 'd', '```'].join('\n')
  t.same(codeBlocks('x.md', md).map((b) => [b.line, b.lang, b.marker, b.code]),
    [[3, 'ts', 'runnable', 'a'], [7, 'js', undefined, 'b'], [11, 'ts', 'typecheck', 'c']])
  t.throws(() => codeBlocks('x.md', '<!-- runable -->\n```ts\na\n```'), /unknown marker/)
  t.throws(() => codeBlocks('x.md', '<!-- runnable -->\n```sh\na\n```'), /not TypeScript or JavaScript/)
  t.throws(() => codeBlocks('x.md', '```ts\na'), /never closes/)
})

t.test('every TypeScript/JavaScript block in the README and docs/ is marked', async (t) => {
  const unmarked = blocks.filter((b) => b.marker === undefined).map((b) => `${b.file}:${b.line}`)
  t.same(unmarked, [], 'mark each one runnable, typecheck or fragment')
  t.ok(blocks.filter((b) => b.marker === 'runnable').length >= 10, 'the main usage examples run')
})

t.test('the runnable and typecheck blocks compile', async (t) => {
  const paths = new Map<string, Block>()
  for (const b of blocks.filter((b) => b.marker === 'runnable' || b.marker === 'typecheck')) {
    const path = join(dir, `${name(b)}.${b.lang}`)
    // A module, so that top-level await works and two examples' names do not clash.
    writeFileSync(path, `${b.code}\nexport {}\n`)
    paths.set(path, b)
  }
  t.same(typeErrors(paths), [], `${paths.size} blocks type-check`)
})

t.test('the runnable blocks run', async (t) => {
  process.env.SESSION_SECRET ??= SECRET
  for (const b of blocks.filter((b) => b.marker === 'runnable')) {
    await t.test(`${b.file}:${b.line}`, async (t) => {
      const path = join(dir, `run-${name(b)}.ts`)
      writeFileSync(path, `${forRunning(b.code)}\nexport {}\n`)
      try {
        await import(pathToFileURL(path).href)
        t.pass('runs without throwing')
      } catch (err) {
        t.fail(`${b.file}:${thrownAt(err, path, b)}: ${String(err)}`)
      } finally {
        await Promise.all(made.splice(0).map(async (app) => await app.close()))
      }
    })
  }
})
