// Coverage is measured, and required at 100%, for the library only: examples, benches and test
// helpers are exercised by tests but are not what the coverage gate is about.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'

function files (dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [])
}

const lib = files('lib')

export default function coverageMap () {
  return lib
}
