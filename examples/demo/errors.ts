import type { FastifyError, FastifyInstance } from 'fastify'
import { safeNext } from './auth-routes.js'
import { html, type SafeHtml } from './html.js'
import { prefersHtml, sendPage } from './page.js'

const FORM_EXPIRED = {
  title: 'Form expired',
  body: () => html`<div class="card" id="error-csrf"><p class="status">403</p><p>This form has expired or did not come from
    this site. Go back, reload the page and send it again.</p></div>`
}

const PAGES: Record<string, { title: string, body: (url: string) => SafeHtml }> = {
  FST_SESSION_UNAUTHORIZED: {
    title: 'Please log in',
    body: (url) => html`<div class="card" id="error-401"><p class="status">401</p><p>You need to be logged in to see this page.</p>
      <p><a id="error-login" href="/login?next=${encodeURIComponent(safeNext(url))}">Log in</a></p></div>`
  },
  // @fastify/csrf-protection's refusals: a form from before login or logout, or not from this site.
  FST_CSRF_INVALID_TOKEN: FORM_EXPIRED,
  FST_CSRF_MISSING_SECRET: FORM_EXPIRED,
  // requireRecentAuth on the demo's one sensitive action, ending sessions from the admin panel: the
  // login form brings the admin back to the panel, where the action is one click again.
  FST_SESSION_REAUTH_REQUIRED: {
    title: 'Confirm it is you',
    body: () => html`<div class="card" id="error-reauth"><p class="status">401</p><p>Ending sessions needs a login in the
      last 10 minutes. Log in again, then repeat the action.</p>
      <p><a id="error-reauth-login" href="/login?next=%2Fadmin">Log in again</a></p></div>`
  },
  FST_SESSION_FORBIDDEN: {
    title: 'Not allowed',
    body: () => html`<div class="card" id="error-403"><p class="status">403</p><p>Your account does not have the role this page needs.</p>
      <p><a href="/">Back to the home page</a></p></div>`
  }
}

/**
 * Browsers get friendly pages for 401, 403 and 404 (and for other client errors, their message);
 * API clients get Fastify's JSON error shape (`statusCode`, `code`, `error`, `message`) untouched.
 */
export function errorPages (app: FastifyInstance): void {
  app.setErrorHandler(function demoErrors (error: FastifyError, request, reply) {
    if (!prefersHtml(request.headers.accept)) throw error
    const page = PAGES[error.code]
    if (page !== undefined) return sendPage(request, reply, page.title, page.body(request.url), error.statusCode)
    const status = error.statusCode ?? 500
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed')
      return sendPage(request, reply, 'Something went wrong', html`<div class="card" id="error-500"><p class="status">${status}</p>
        <p>Something went wrong on our side.</p></div>`, status)
    }
    return sendPage(request, reply, 'Request failed', html`<div class="card" id="error-${status}"><p class="status">${status}</p>
      <p>${error.message}</p></div>`, status)
  })

  app.setNotFoundHandler(function notFound (request, reply) {
    if (!prefersHtml(request.headers.accept)) {
      return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `Route ${request.method}:${request.url} not found` })
    }
    return sendPage(request, reply, 'Not found', html`<div class="card" id="error-404"><p class="status">404</p>
      <p>There is no page at <code>${request.url}</code>.</p><p><a href="/">Back to the home page</a></p></div>`, 404)
  })
}
