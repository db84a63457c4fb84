// Server-sent events over fetch. The browser's EventSource cannot send an Authorization
// header, and our job streams are private to their creator, so we read the stream ourselves.
import { ApiError, describeDetail } from './errors'

export interface SseMessage {
  event: string
  data: string
  id?: string
}

/** Splits an SSE byte stream into messages (WHATWG rules: blank line ends a message). */
export async function* parseSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  let event = ''
  let data: string[] = []
  let id: string | undefined
  // Returns a finished message when `line` is the blank line that ends one.
  const take = (line: string): SseMessage | null => {
    if (line === '') {
      const done = data.length ? { event: event || 'message', data: data.join('\n'), id } : null
      event = ''
      data = []
      return done
    }
    if (line.startsWith(':')) return null // a comment: servers send these as keep-alives
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    let value = colon < 0 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'event') event = value
    else if (field === 'data') data.push(value)
    else if (field === 'id') id = value
    return null
  }
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      buffer += decoder.decode(value, { stream: true })
      let newline: number
      while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, newline)
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1))
        const message = take(line)
        if (message) yield message
      }
    }
    // A stream cut without its final blank line still carries a usable last message.
    if (buffer) take(buffer)
    const last = take('')
    if (last) yield last
  } finally {
    reader.releaseLock()
  }
}

/** Opens `url` as an event stream with the bearer token and yields its messages. */
export async function* openSse(
  url: string,
  token: string | null,
  signal?: AbortSignal,
): AsyncGenerator<SseMessage> {
  const headers: Record<string, string> = { Accept: 'text/event-stream' }
  if (token) headers.Authorization = `Bearer ${token}`
  const response = await globalThis.fetch(url, { headers, signal, cache: 'no-store' })
  if (!response.ok) {
    const body = await response.json().catch(() => null)
    throw new ApiError(describeDetail(body, response.status), response.status)
  }
  if (!response.body || !response.headers.get('content-type')?.includes('text/event-stream')) {
    throw new ApiError('The server did not answer with an event stream.', response.status)
  }
  yield* parseSse(response.body)
}
