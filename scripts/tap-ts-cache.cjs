// The transpiler of ts-node (the "ts-node" block of tsconfig.json points it here): ts-node's own
// transpile, TypeScript's transpileModule, with each output kept on disk under .tap/ts-cache, keyed by
// the source, its path, the compiler options and TypeScript's version. The test processes do not load
// ts-node any more (scripts/ts-loader.mjs serves them from scripts/ts-compiled-cache.cjs); ts-node
// compiles a file only when that cache misses, through this, so the output (source map included) is
// the one the coverage gate was set against: ts-node's default transpile counts branches differently
// in lib/index.ts. Delete .tap/ts-cache to empty it.
'use strict'
const { createHash } = require('node:crypto')
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs')
const { dirname, join } = require('node:path')

// Bump when this file changes what it stores.
const FORMAT = 1
const DIR = join(__dirname, '..', '.tap', 'ts-cache')

/** ts-node's transpiler factory (its `transpiler` option): one per module kind it emits. */
exports.create = function create ({ service, nodeModuleEmitKind }) {
  const ts = require(service.projectLocalResolveHelper('typescript', true))
  const tsNode = dirname(require.resolve('@isaacs/ts-node-temp-fork-for-pr-2009/package.json'))
  const { createTsTranspileModule } = require(join(tsNode, 'dist', 'ts-transpile-module.js'))
  const compilerOptions = service.config.options
  // As ts-node calls it when no transpiler is configured (dist/index.js, createTranspileOnlyGetOutputFunction).
  const moduleKind = nodeModuleEmitKind === 'nodeesm' ? 'module' : 'commonjs'
  const salt = JSON.stringify([FORMAT, ts.version, nodeModuleEmitKind ?? null, compilerOptions])
  let transpile
  return {
    transpile (input, { fileName }) {
      const key = createHash('sha256').update(salt).update('\0').update(fileName).update('\0').update(input).digest('hex')
      const path = join(DIR, key.slice(0, 2), `${key}.json`)
      try {
        return JSON.parse(readFileSync(path, 'utf8'))
      } catch {
        // Not cached yet (or a partial file from a crash): transpile it.
      }
      transpile ??= createTsTranspileModule(ts, { compilerOptions, reportDiagnostics: true })
      const result = transpile(input, { fileName }, moduleKind)
      // Output with diagnostics (a syntax error) is not kept: ts-node reports it each time, as without the cache.
      if (result.diagnostics === undefined || result.diagnostics.length === 0) {
        try {
          mkdirSync(dirname(path), { recursive: true })
          // Written aside and renamed: test files run in parallel, and a reader sees all of it or nothing.
          const aside = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}`
          writeFileSync(aside, JSON.stringify({ outputText: result.outputText, sourceMapText: result.sourceMapText }))
          renameSync(aside, path)
        } catch {
          // A cache that cannot be written only costs time.
        }
      }
      return result
    }
  }
}
