// Which endpoints the backend described when the client was last generated. Pages ask before
// calling one that only the API.md contract knows about (see scripts/gen-api.mjs).
import pending from './pending.json'

const missing = new Set<string>(pending as string[])

/** "GET /api/v1/admin/queues" → false while the backend lacks it. */
export function isServed(endpoint: string): boolean {
  return !missing.has(endpoint)
}

/** The subset of `endpoints` the backend does not serve. */
export function notServed(...endpoints: string[]): string[] {
  return endpoints.filter((e) => missing.has(e))
}
