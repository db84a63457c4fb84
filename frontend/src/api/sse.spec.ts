import { describe, expect, it } from 'vitest'
import { parseSse, type SseMessage } from './sse'

function streamOf(...chunks: string[]) {
  const enc = new TextEncoder()
  return new ReadableStream<Uint8Array>({
    start(c) {
      for (const chunk of chunks) c.enqueue(enc.encode(chunk))
      c.close()
    },
  })
}

async function collect(stream: ReadableStream<Uint8Array>) {
  const out: SseMessage[] = []
  for await (const m of parseSse(stream)) out.push(m)
  return out
}

describe('parseSse', () => {
  it('reads named events split across chunks', async () => {
    const msgs = await collect(
      streamOf('event: status\ndata: {"a"', ':1}\n\n: ping\n\nevent: status\r\ndata: 2\r\n\r\n'),
    )
    expect(msgs).toEqual([
      { event: 'status', data: '{"a":1}', id: undefined },
      { event: 'status', data: '2', id: undefined },
    ])
  })

  it('joins multi-line data and defaults the event name', async () => {
    const msgs = await collect(streamOf('id: 7\ndata: one\ndata: two\n\n'))
    expect(msgs).toEqual([{ event: 'message', data: 'one\ntwo', id: '7' }])
  })

  it('delivers a final message that lacks the closing blank line', async () => {
    const msgs = await collect(streamOf('event: status\ndata: last'))
    expect(msgs.map((m) => m.data)).toEqual(['last'])
  })
})
