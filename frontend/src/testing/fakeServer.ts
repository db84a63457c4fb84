// A stand-in for the StudyForge HTTP server at the fetch boundary (the outside world for the
// browser app): routes keyed "METHOD /path", each answering a real Response.
import { vi } from 'vitest'

export type Handler = (req: Request, url: URL) => Response | Promise<Response>

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(body === null ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  })

export function sse(...events: { event: string; data: unknown }[]) {
  const text = events.map((e) => `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`).join('')
  return new Response(text, { status: 200, headers: { 'Content-Type': 'text/event-stream' } })
}

export function fakeServer(routes: Record<string, Handler>) {
  const calls: { method: string; path: string; req: Request }[] = []
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = input instanceof Request ? input : new Request(new URL(String(input), location.href), init)
    const url = new URL(req.url)
    calls.push({ method: req.method, path: url.pathname, req: req.clone() })
    const exact = routes[`${req.method} ${url.pathname}`]
    const pattern = Object.entries(routes).find(([k]) => {
      const [m, p] = k.split(' ')
      return m === req.method && new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(url.pathname)
    })?.[1]
    const handler = exact ?? pattern
    if (!handler) return json({ detail: 'Not Found' }, 404)
    return handler(req, url)
  })
  vi.stubGlobal('fetch', fetchMock)
  return { calls, fetchMock }
}
