/**
 * @internal A JS string as text that any backend keeps intact: JSON string escapes, without the
 * quotes. Redis and PostgreSQL store UTF-8, which has no form for a lone surrogate ("\ud800" would
 * come back as U+FFFD, a different string), and PostgreSQL's text and jsonb refuse "\u0000";
 * escaped, every JS string survives. Ordinary names (no quote, backslash or control character) are
 * left as they are, so they stay readable in the backend.
 */
export function escapeString (name: string): string {
  return JSON.stringify(name).slice(1, -1)
}

/** @internal The inverse of {@link escapeString}; throws a SyntaxError on a broken escape. */
export function unescapeString (name: string): string {
  return name.includes('\\') ? JSON.parse(`"${name}"`) as string : name
}
