// What the demo keeps in a session. Declaration merging types request.session.get/set for every
// example in this folder (the small examples declare the same keys with the same types).

/** The two roles of the demo users. */
export type Role = 'admin' | 'user'

declare module 'fastify-session-kit' {
  interface SessionData {
    /** The logged-in username; the guards treat a session with a userId as logged in. */
    userId: string
    role: Role
    theme: 'light' | 'dark'
    /** How many times the preferences page was shown in this session. */
    visits: number
    /** Product ids and quantities only: names and prices come from the catalogue, never the client. */
    cart: Array<{ id: number, qty: number }>
    /** @fastify/flash keeps its messages here (`request.session.get/set('flash')`). */
    flash: Record<string, string[]>
    /** @fastify/csrf-protection keeps its secret here; the forms carry tokens made from it. */
    _csrf: string
  }
}
