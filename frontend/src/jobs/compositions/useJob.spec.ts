import { beforeEach, describe, expect, it } from 'vitest'
import { useJob } from '@/jobs/compositions/useJob'
import { fakeServer, json, sse } from '@/testing/fakeServer'

const job = (status: string, progress = 0, extra: object = {}) => ({
  id: 'j1', kind: 'explanation', status, progress, created_at: '2026-11-25T10:00:00Z',
  started_at: null, finished_at: null, result: null, error: null, ...extra,
})

beforeEach(() => localStorage.setItem('sf.profileToken', 'kid-token'))

describe('useJob', () => {
  it('follows the SSE stream to the final status, with the profile token', async () => {
    const server = fakeServer({
      'GET /api/v1/jobs/j1/events': (req) => {
        expect(req.headers.get('Authorization')).toBe('Bearer kid-token')
        return sse(
          { event: 'status', data: job('queued') },
          { event: 'status', data: job('running', 0.5) },
          { event: 'status', data: job('succeeded', 1, { result: { content_block_id: 9 } }) },
        )
      },
    })
    const t = useJob()
    const final = await t.follow('j1', '/api/v1/jobs/j1/events')
    expect(final?.status).toBe('succeeded')
    expect(final?.result).toEqual({ content_block_id: 9 })
    expect(t.transport.value).toBe('sse')
    expect(t.following.value).toBe(false)
    expect(server.calls).toHaveLength(1) // no polling when the stream delivered the end
  })

  it('falls back to polling when the stream cannot be opened', async () => {
    let polls = 0
    fakeServer({
      'GET /api/v1/jobs/j1/events': () => json({ detail: 'Bad gateway' }, 502),
      'GET /api/v1/jobs/j1': () => json(++polls < 3 ? job('running', polls / 3) : job('succeeded', 1)),
    })
    const t = useJob({ pollMs: 1 })
    const final = await t.follow('j1', '/api/v1/jobs/j1/events')
    expect(final?.status).toBe('succeeded')
    expect(t.transport.value).toBe('poll')
    expect(polls).toBe(3)
  })

  it('polls on when the stream ends before a final status', async () => {
    fakeServer({
      'GET /api/v1/jobs/j1/events': () => sse({ event: 'status', data: job('running', 0.2) }),
      'GET /api/v1/jobs/j1': () => json(job('failed', 0.2, { error: { code: 'all_failed', message: 'Every provider failed.' } })),
    })
    const t = useJob({ pollMs: 1 })
    const final = await t.follow('j1', '/api/v1/jobs/j1/events')
    expect(final?.status).toBe('failed')
    expect(final?.error?.message).toBe('Every provider failed.')
  })

  it("reports a job it may not read (404) with the server's words", async () => {
    fakeServer({ 'GET /api/v1/jobs/j1': () => json({ detail: 'Job j1 not found.' }, 404) })
    const t = useJob({ pollMs: 1 })
    await t.follow('j1')
    expect(t.error.value).toBe('Job j1 not found.')
  })
})
