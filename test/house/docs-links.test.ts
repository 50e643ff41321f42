// Every relative link in the README and the docs leads somewhere: the file exists, and a #fragment
// names a heading of that page (GitHub's anchors: lower case, punctuation dropped, spaces to hyphens).
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import t from 'tap'

const ROOT = resolve(import.meta.dirname, '..', '..')

/** GitHub's anchor of a heading's text. */
export function anchor (heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-')
}

/** The anchors of a markdown text's headings, outside code blocks. */
function anchors (text: string): Set<string> {
  const found = new Set<string>()
  let inCode = false
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) inCode = !inCode
    const heading = inCode ? null : /^#{1,6} (.*)$/.exec(line)
    if (heading !== null) found.add(anchor(heading[1] as string))
  }
  return found
}

/** Relative links `[text](target)` of a markdown text, outside code blocks. */
function links (text: string): string[] {
  const prose = text.replace(/^```[\s\S]*?^```/gm, '')
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] as string).filter((l) => !/^[a-z]+:/.test(l))
}

const pages = ['README.md', 'CONTRIBUTING.md', 'CHANGELOG.md', 'SECURITY.md',
  ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]

t.test('anchors as GitHub makes them', async (t) => {
  t.equal(anchor('`app.session.revokeUser(userId)`, `app.session.listUserSessions(userId)`'),
    'appsessionrevokeuseruserid-appsessionlistusersessionsuserid')
  t.equal(anchor('Stores: which one?'), 'stores-which-one')
  t.equal(anchor('@fastify/csrf-protection'), 'fastifycsrf-protection')
})

t.test('every relative link of the README and docs/ resolves', async (t) => {
  const broken: string[] = []
  for (const page of pages) {
    for (const link of links(readFileSync(join(ROOT, page), 'utf8'))) {
      const [path, fragment] = link.split('#') as [string, string | undefined]
      const target = path === '' ? join(ROOT, page) : resolve(dirname(join(ROOT, page)), path)
      if (!existsSync(target)) broken.push(`${page}: ${link} (no ${relative(ROOT, target)})`)
      else if (fragment !== undefined && target.endsWith('.md') && !anchors(readFileSync(target, 'utf8')).has(fragment)) {
        broken.push(`${page}: ${link} (no heading #${fragment})`)
      }
    }
  }
  t.same(broken, [])
})
