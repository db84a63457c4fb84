// The typed HTTP client, generated from the OpenAPI schema (see scripts/gen-api.mjs).
// Two instances: `api` carries the account's token (parent, admin, operator) and `studentApi`
// the child profile's token, so a parent acting as a child never mixes the two identities.
import createClient, { type Middleware } from 'openapi-fetch'
import type { paths } from './schema'

export type TokenSource = () => string | null

let onUnauthorized: (which: 'account' | 'student') => void = () => {}

/** Called once by the auth store: what to do when the server says a token is no longer good. */
export function setUnauthorizedHandler(handler: (which: 'account' | 'student') => void) {
  onUnauthorized = handler
}

function bearer(token: TokenSource, which: 'account' | 'student'): Middleware {
  return {
    onRequest({ request }) {
      const value = token()
      if (value && !request.headers.has('Authorization')) {
        request.headers.set('Authorization', `Bearer ${value}`)
      }
      return request
    },
    onResponse({ request, response }) {
      if (response.status === 401 && request.headers.has('Authorization')) onUnauthorized(which)
      return response
    },
  }
}

export function createApi(token: TokenSource, which: 'account' | 'student') {
  // fetch is looked up per call so tests and the e2e harness see the page's current fetch.
  const client = createClient<paths>({ baseUrl: '', fetch: (req) => globalThis.fetch(req) })
  client.use(bearer(token, which))
  return client
}

const STORAGE = { account: 'sf.accountToken', student: 'sf.profileToken' } as const

export const tokens = {
  account: (): string | null => localStorage.getItem(STORAGE.account),
  student: (): string | null => localStorage.getItem(STORAGE.student),
  set(which: 'account' | 'student', value: string | null) {
    if (value) localStorage.setItem(STORAGE[which], value)
    else localStorage.removeItem(STORAGE[which])
  },
}

export const api = createApi(tokens.account, 'account')
export const studentApi = createApi(tokens.student, 'student')
export type ApiClient = typeof api
