// HTML for the demo: a tagged template that escapes every interpolated value unless it is already
// markup made by this template, so no user input (a username, a query string) can inject markup.

/** Markup produced by {@link html}: interpolated as is, never escaped twice. */
export class SafeHtml {
  readonly value: string
  constructor (value: string) {
    this.value = value
  }

  toString (): string {
    return this.value
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Escapes text for use in element content and quoted attribute values. */
export function escapeHtml (text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string)
}

type Part = SafeHtml | string | number | boolean | null | undefined | readonly Part[]

function render (part: Part): string {
  if (part instanceof SafeHtml) return part.value
  if (Array.isArray(part)) return part.map(render).join('')
  if (part === null || part === undefined || part === false) return ''
  return escapeHtml(String(part))
}

/**
 * Builds markup: strings and numbers are escaped, `SafeHtml` (the result of another `html`) and arrays
 * of it are inserted as they are, `null`, `undefined` and `false` render as nothing.
 */
export function html (strings: TemplateStringsArray, ...values: Part[]): SafeHtml {
  let out = strings[0] as string
  for (let i = 0; i < values.length; i++) out += render(values[i] as Part) + (strings[i + 1] as string)
  return new SafeHtml(out)
}

/** A price in cents as dollars, `$12.50`. */
export function money (cents: number): string {
  return `$${(cents / 100).toFixed(2)}`
}

/** Who the nav bar shows, and the flash messages of this response. */
export interface PageContext {
  user: { name: string, role: string } | undefined
  theme: 'light' | 'dark'
  flash: Array<{ type: string, message: string }>
  path: string
  /** The CSRF field of the nav's logout form; only a logged-in user has that form. */
  csrf: SafeHtml | undefined
}

const STYLE = `
:root { color-scheme: light; --bg: #f6f7f9; --fg: #1d2330; --card: #fff; --muted: #5b6475; --accent: #2156d9; --on-accent: #fff; --line: #dfe3ea }
body.dark { color-scheme: dark; --bg: #14171d; --fg: #e7eaf0; --card: #1e232c; --muted: #9aa3b5; --accent: #7ea2ff; --on-accent: #0d1220; --line: #323946 }
* { box-sizing: border-box }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--fg) }
nav { display: flex; flex-wrap: wrap; align-items: center; gap: .25rem 1rem; padding: .75rem 1.5rem; background: var(--card); border-bottom: 1px solid var(--line) }
nav .brand { font-weight: 700; margin-right: .5rem }
nav a { color: var(--fg); text-decoration: none; padding: .15rem .1rem; border-bottom: 2px solid transparent }
nav a.active, nav a:hover { border-bottom-color: var(--accent) }
nav .who { margin-left: auto; display: flex; align-items: center; gap: .75rem; color: var(--muted) }
nav form { margin: 0 }
nav button { padding: .1rem .6rem; font-size: .9rem }
main { max-width: 46rem; margin: 2rem auto; padding: 0 1.5rem }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 1.25rem 1.5rem; margin-bottom: 1.25rem }
h1 { font-size: 1.6rem; margin: 0 0 1rem }
h2 { font-size: 1.15rem; margin: 0 0 .75rem }
a { color: var(--accent) }
label { display: block; margin: .5rem 0 .25rem; font-weight: 600 }
input[type=text], input[type=password] { width: 100%; max-width: 20rem; padding: .45rem .6rem; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); font: inherit }
button { font: inherit; padding: .4rem .9rem; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: var(--on-accent); cursor: pointer }
button.link { background: none; color: var(--accent); border-color: var(--line) }
table { width: 100%; border-collapse: collapse }
th, td { text-align: left; padding: .45rem .4rem; border-bottom: 1px solid var(--line) }
td.num, th.num { text-align: right }
.flash { padding: .7rem 1rem; border-radius: 8px; margin-bottom: 1.25rem; border: 1px solid }
.flash.success { background: #e7f6ec; border-color: #9fd5b0; color: #1f5d33 }
.flash.info { background: #e8effd; border-color: #a9c0f2; color: #23427f }
.error { background: #fdecec; border: 1px solid #f0b0b0; color: #8a1f1f; padding: .6rem .9rem; border-radius: 8px }
.badge { display: inline-block; padding: 0 .5rem; border-radius: 999px; font-size: .8rem; background: var(--accent); color: var(--on-accent) }
.muted { color: var(--muted) }
.status { font-size: 3rem; font-weight: 800; color: var(--accent); margin: 0 }
`

function navLink (path: string, href: string, label: string): SafeHtml {
  return html`<a href="${href}"${path === href ? html` class="active"` : ''}>${label}</a>`
}

/** The one layout of the demo: nav bar (who is logged in, their role), flash messages, the page. */
export function layout (ctx: PageContext, title: string, body: SafeHtml): string {
  const who = ctx.user === undefined
    ? html`<span id="nav-user" data-testid="nav-user">Guest</span> <a href="/login">Log in</a>`
    : html`<span id="nav-user" data-testid="nav-user">${ctx.user.name} <span class="badge" id="nav-role">${ctx.user.role}</span></span>
      <form method="post" action="/logout">${ctx.csrf}<button class="link" id="logout" type="submit">Log out</button></form>`
  const flash = ctx.flash.length === 0
    ? ''
    : html`<div id="flash" data-testid="flash">${ctx.flash.map((f) => html`<div class="flash ${f.type}" role="status">${f.message}</div>`)}</div>`
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · fastify-session-kit demo</title>
<style>${new SafeHtml(STYLE)}</style>
</head>
<body class="${ctx.theme}">
<nav>
  <span class="brand">session-kit demo</span>
  ${navLink(ctx.path, '/', 'Home')}
  ${navLink(ctx.path, '/dashboard', 'Dashboard')}
  ${navLink(ctx.path, '/admin', 'Admin')}
  ${navLink(ctx.path, '/preferences', 'Preferences')}
  ${navLink(ctx.path, '/cart', 'Cart')}
  <span class="who">${who}</span>
</nav>
<main>
${flash}
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`.value
}
