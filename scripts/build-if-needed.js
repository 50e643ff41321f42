// `npm start` and the `test:*` scripts run against the built package (the demo and the
// examples import it by name): build it when dist/ is missing or older than lib/.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

function newest (dir) {
  let latest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs)
  }
  return latest
}

const built = 'dist/lib/index.js'
if (!existsSync(built) || statSync(built).mtimeMs < Math.max(newest('lib'), newest('bin'))) {
  execFileSync('npm', ['run', 'build'], { stdio: 'inherit' })
}
