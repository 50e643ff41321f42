// Fills .tap/ts-cache (scripts/ts-compiled-cache.cjs) with every TypeScript file the tests load, in
// one process, before tap starts: `npm test` runs it beside the build. Without it, on a fresh clone
// the first test files all load TypeScript and compile lib/ and the helpers at once, and on a busy
// machine they can run into tap's limit per file before their first test. It compiles through the
// same function the test processes use, so it stores exactly what they would. Failures are left for
// the tests to report: this only saves time.
'use strict'
const { readdirSync, readFileSync } = require('node:fs')
const { join } = require('node:path')
const { compiled } = require('./ts-compiled-cache.cjs')

const root = join(__dirname, '..')

function tsFiles (dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name)
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'fixtures' ? [] : tsFiles(path)
    return /\.m?ts$/.test(e.name) && !e.name.endsWith('.d.ts') ? [path] : []
  })
}

let failed = 0
const files = ['lib', 'bin', 'test', 'examples'].flatMap((dir) => tsFiles(join(root, dir)))
for (const file of files) {
  try {
    compiled(file, readFileSync(file, 'utf8'))
  } catch {
    failed++
  }
}
console.log(`ts-cache: ${files.length - failed} of ${files.length} TypeScript files ready${failed === 0 ? '' : ` (${failed} left for the tests to report)`}`)
