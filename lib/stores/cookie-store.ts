/**
 * The default store: the whole session sealed into the cookie (XChaCha20-Poly1305), nothing kept on
 * the server. Ids and times are inside the seal, so both lifetimes are enforced by the server.
 * It cannot revoke a copied cookie by itself (see the `validate` option) and concurrent requests
 * that change different keys can overwrite each other (the last response's cookie wins).
 *
 * @example
 * ```ts
 * await app.register(fastifySession, { secret, store: new CookieStore() })
 * ```
 */
export class CookieStore {
  /** @internal */
  readonly kind = 'cookie'
}
