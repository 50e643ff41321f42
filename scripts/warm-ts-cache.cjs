// Fills .tap/ts-cache (scripts/tap-ts-cache.cjs) with every TypeScript file the tests load, in one
// process, before tap starts: `npm test` runs it beside the build. Without it, on a fresh clone the
// first test files all transpile lib/ and the helpers at once, each loading TypeScript for it, and on
// a busy machine they can run into tap's 30-second limit per file before their first test. It goes
// through ts-node's own compile with the options the tap runs use, so it stores exactly what they
// would. Failures are left for the tests to report: this only saves time.
'use strict'
const { readdirSync, readFileSync } = require('node:fs')
const { join } = require('node:path')
const { create } = require('@isaacs/ts-node-temp-fork-for-pr-2009')

const root = join(__dirname, '..')

function tsFiles (dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name)
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : tsFiles(path)
    return /\.[cm]?ts$/.test(e.name) && !e.name.endsWith('.d.ts') ? [path] : []
  })
}

// As tap's TypeScript plugin asks for it (TS_NODE_TRANSPILE_ONLY=1); the rest comes from tsconfig.json.
const service = create({ transpileOnly: true, cwd: root })
let failed = 0
const files = ['lib', 'bin', 'test', 'examples'].flatMap((dir) => tsFiles(join(root, dir)))
for (const file of files) {
  try {
    service.compile(readFileSync(file, 'utf8'), file)
  } catch {
    failed++
  }
}
console.log(`ts-cache: ${files.length - failed} of ${files.length} TypeScript files ready${failed === 0 ? '' : ` (${failed} left for the tests to report)`}`)
