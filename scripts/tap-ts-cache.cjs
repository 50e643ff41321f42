// The TypeScript transpiler of the tap runs (the "ts-node" block of tsconfig.json points ts-node at
// it): ts-node's own transpile, TypeScript's transpileModule, with each output kept on disk under
// .tap/ts-cache, keyed by the source, its path, the compiler options and TypeScript's version. Every
// test file is a process of its own, and without the cache each one transpiled lib/ and the helpers
// again: about 2 of the 3 CPU-seconds a small test file cost. The output is the one ts-node makes,
// source map included, so coverage and stack traces do not change. Delete .tap/ts-cache to empty it.
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
