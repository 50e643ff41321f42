// The compiled form of each TypeScript file the tests load, kept on disk under .tap/ts-cache/compiled:
// what ts-node would hand to Node for it (the JavaScript with its inline source map), keyed by the
// source, its path, tsconfig.json, package.json and the versions of TypeScript and ts-node. A hit
// costs a hash and a file read; only a miss loads ts-node and TypeScript, and it compiles the file
// through ts-node's own service with the options of the tap runs, so a test sees the same code, the
// same source map (coverage, stack traces) as under tap's ts-node loader. scripts/ts-loader.mjs reads
// it in every test process; scripts/warm-ts-cache.cjs fills it before a run. Delete .tap/ts-cache to
// empty it.
'use strict'
const { createHash } = require('node:crypto')
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs')
const { dirname, join, sep } = require('node:path')

// Bump when this file changes what it stores.
const FORMAT = 1
const ROOT = join(__dirname, '..')
const DIR = join(ROOT, '.tap', 'ts-cache', 'compiled')
// Files written under .tap during a run (the docs test's blocks, in a folder per process) are never
// loaded twice: compiling them is all there is, keeping them would only grow the cache.
const SCRATCH = join(ROOT, '.tap') + sep
const TS_NODE = '@isaacs/ts-node-temp-fork-for-pr-2009'

const version = (name) => JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version
// What the compiled output depends on besides the file itself: the compiler and its options, and the
// package's "type" (ts-node emits ES modules or CommonJS from it).
const salt = JSON.stringify([
  FORMAT, version('typescript'), version(TS_NODE),
  readFileSync(join(ROOT, 'tsconfig.json'), 'utf8'), readFileSync(join(ROOT, 'package.json'), 'utf8')
])

let service

/** ts-node's service as tap's TypeScript plugin configures it (transpile only, this tsconfig.json). */
function tsNode () {
  service ??= require(TS_NODE).create({ transpileOnly: true, cwd: ROOT, project: join(ROOT, 'tsconfig.json') })
  return service
}

/** The JavaScript ts-node makes of `path` (whose text is `source`), from the cache or compiled now. */
function compiled (path, source) {
  const key = createHash('sha256').update(salt).update('\0').update(path).update('\0').update(source).digest('hex')
  const file = join(DIR, key.slice(0, 2), `${key}.js`)
  try {
    return readFileSync(file, 'utf8')
  } catch {
    // Not cached yet: compile it (a syntax error throws, as under ts-node, and is not kept).
  }
  const output = tsNode().compile(source, path)
  if (path.startsWith(SCRATCH)) return output
  try {
    mkdirSync(dirname(file), { recursive: true })
    // Written aside and renamed: test files run in parallel, and a reader sees all of it or nothing.
    const aside = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`
    writeFileSync(aside, output)
    renameSync(aside, file)
  } catch {
    // A cache that cannot be written only costs time.
  }
  return output
}

module.exports = { compiled }
