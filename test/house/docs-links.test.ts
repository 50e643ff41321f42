// Every relative link in the README and the docs leads somewhere: the file exists, and a #fragment
// names a heading of that page (GitHub's anchors: lower case, punctuation dropped, spaces to hyphens).
// The README also ships in the package, where relative links are dead (the registry's page, a copy in
// node_modules): its links are absolute, under the repository's address in package.json, and each one
// must name a file of this repository.
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

/** Links `[text](target)` of a markdown text, outside code blocks. */
function allLinks (text: string): string[] {
  const prose = text.replace(/^```[\s\S]*?^```/gm, '')
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] as string)
}

/** Relative links of a markdown text, outside code blocks. */
function links (text: string): string[] {
  return allLinks(text).filter((l) => !/^[a-z]+:/.test(l))
}

/** The repository's web address, from package.json's `repository.url` (`git+https://....git`). */
export function repositoryBase (url: string): string {
  const m = /^git\+(https:\/\/github\.com\/[\w.-]+\/[\w.-]+?)\.git$/.exec(url)
  if (m === null) throw new Error(`repository.url is not git+https://github.com/<owner>/<name>.git: ${url}`)
  return m[1] as string
}

/** GitHub pages of the repository a README may link besides its files. */
const REPOSITORY_PAGES = ['', '/issues', '/security/advisories/new']

/**
 * The repository path an absolute link under `base` names (`blob/main/<path>` or `tree/main/<path>`),
 * '' for one of the repository's own pages, or undefined for a link outside it.
 */
export function repositoryPath (link: string, base: string): string | undefined {
  if (!link.startsWith(base)) return undefined
  const rest = link.slice(base.length).split('#')[0] as string
  if (REPOSITORY_PAGES.includes(rest)) return ''
  const m = /^\/(?:blob|tree)\/main\/(.+)$/.exec(rest)
  if (m === null) throw new Error(`not a file of the main branch: ${link}`)
  return m[1] as string
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { repository: { url: string }, homepage: string, bugs: { url: string } }
const BASE = repositoryBase(pkg.repository.url)

const pages = ['README.md', 'CONTRIBUTING.md', 'CHANGELOG.md', 'SECURITY.md',
  ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]

t.test('anchors as GitHub makes them', async (t) => {
  t.equal(anchor('`app.session.revokeUser(userId)`, `app.session.listUserSessions(userId)`'),
    'appsessionrevokeuseruserid-appsessionlistusersessionsuserid')
  t.equal(anchor('Stores: which one?'), 'stores-which-one')
  t.equal(anchor('@fastify/csrf-protection'), 'fastifycsrf-protection')
})

t.test('repository addresses', async (t) => {
  t.equal(repositoryBase('git+https://github.com/a/b-c.git'), 'https://github.com/a/b-c')
  t.throws(() => repositoryBase('https://example.com/x'), /not git\+https/)
  t.equal(repositoryPath('https://github.com/a/b/blob/main/docs/x.md#y', 'https://github.com/a/b'), 'docs/x.md')
  t.equal(repositoryPath('https://github.com/a/b/tree/main/examples', 'https://github.com/a/b'), 'examples')
  t.equal(repositoryPath('https://github.com/a/b/issues', 'https://github.com/a/b'), '')
  t.equal(repositoryPath('https://fastify.dev', 'https://github.com/a/b'), undefined)
  t.throws(() => repositoryPath('https://github.com/a/b/blob/dev/x.md', 'https://github.com/a/b'), /main branch/)
})

t.test('package.json names the repository, its home page and its issues', async (t) => {
  t.equal(pkg.homepage, `${BASE}#readme`)
  t.equal(pkg.bugs.url, `${BASE}/issues`)
})

t.test('every README link works outside the repository: absolute, naming a file that exists', async (t) => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const relative = links(readme).filter((l) => !l.startsWith('#'))
  t.same(relative, [], `the README ships in the package: link under ${BASE}/blob/main/ instead`)
  const broken: string[] = []
  let checked = 0
  for (const link of allLinks(readme)) {
    const path = repositoryPath(link, BASE)
    if (path === undefined || path === '') continue
    checked++
    const fragment = link.split('#')[1]
    const target = join(ROOT, path)
    if (!existsSync(target)) broken.push(`${link} (no ${path})`)
    else if (fragment !== undefined && target.endsWith('.md') && !anchors(readFileSync(target, 'utf8')).has(fragment)) {
      broken.push(`${link} (no heading #${fragment})`)
    }
  }
  t.ok(checked >= 20, `${checked} links into the repository checked`)
  t.same(broken, [])
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
