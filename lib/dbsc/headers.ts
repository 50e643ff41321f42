// The few RFC 9651 structured-field shapes DBSC uses: an sf-string with ignored parameters
// (Secure-Session-Response, Sec-Secure-Session-Id), a list of tokens with a session_identifier
// parameter (Secure-Session-Skipped), and serialising strings for the headers we send.

/** The request header names, lower-case as Node gives them. */
export const RESPONSE_HEADER = 'secure-session-response'
export const SESSION_ID_HEADER = 'sec-secure-session-id'
export const SKIPPED_HEADER = 'secure-session-skipped'

/** An sf-string: printable ASCII in quotes, `\"` and `\\` escaped. */
export function serializeString (value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`
}

/**
 * Reads a leading sf-string from `input` at `start`; returns it and where it ended, or undefined
 * when there is none (wrong shape, a non-printable character, no closing quote).
 */
function readString (input: string, start: number): { value: string, end: number } | undefined {
  if (input[start] !== '"') return undefined
  let value = ''
  for (let i = start + 1; i < input.length; i++) {
    const c = input.charCodeAt(i)
    if (c === 0x5c) {
      const next = input[i + 1]
      if (next !== '"' && next !== '\\') return undefined
      value += next
      i++
    } else if (c === 0x22) {
      return { value, end: i + 1 }
    } else if (c < 0x20 || c > 0x7e) {
      return undefined
    } else {
      value += input[i]
    }
  }
  return undefined
}

/** A JWS in compact form, as Chromium sends it in Secure-Session-Response. */
export const BARE_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/
/** A session identifier of this plugin (a keyed hash, base64url), as Chromium sends it in Sec-Secure-Session-Id. */
export const BARE_ID = /^[A-Za-z0-9_-]{1,64}$/

/**
 * The string of a header whose value must be one sf-string; parameters after it are ignored, as the
 * spec says. Chromium (156) sends the value bare, without the quotes: a value matching `bare` whole is
 * taken as it is. Undefined for a missing, repeated (Node joins them with ", ") or malformed header.
 */
export function readStringHeader (header: string | string[] | undefined, bare?: RegExp): string | undefined {
  if (typeof header !== 'string') return undefined
  const text = header.trim()
  if (bare?.test(text) === true) return text
  const read = readString(text, 0)
  if (read === undefined) return undefined
  const rest = text.slice(read.end)
  return rest === '' || rest.startsWith(';') ? read.value : undefined
}

/** One entry of Secure-Session-Skipped: the reason token and the session it names. */
export interface Skipped {
  reason: string
  sessionId: string | undefined
}

const TOKEN = /^[A-Za-z*][A-Za-z0-9!#$%&'*+.^_`|~:/-]*/

/**
 * The entries of a Secure-Session-Skipped header (`unreachable;session_identifier="id", ...`).
 * Entries that are not a token are left out; a malformed parameter leaves that entry without an id.
 * The identifier may come bare, as Chromium sends its other DBSC strings.
 */
export function readSkipped (header: string | string[] | undefined): Skipped[] {
  if (header === undefined) return []
  const out: Skipped[] = []
  for (const item of (Array.isArray(header) ? header.join(',') : header).split(',')) {
    const text = item.trim()
    const token = TOKEN.exec(text)?.[0]
    if (token === undefined) continue
    let sessionId: string | undefined
    for (const param of text.slice(token.length).split(';').slice(1)) {
      const eq = param.indexOf('=')
      if (param.slice(0, eq).trim() !== 'session_identifier') continue
      const value = param.slice(eq + 1).trim()
      sessionId = BARE_ID.test(value) ? value : readString(value, 0)?.value
    }
    out.push({ reason: token, sessionId })
  }
  return out
}
