// Given a server that serves the queue endpoints (API.md): live depths, workers, and dead
// letters that are only deleted after a confirmation.
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import QueuesPage from '@/admin/pages/QueuesPage.vue'
import { fakeServer, json } from '@/testing/fakeServer'

vi.mock('@/api/pending.json', () => ({ default: [] }))

beforeEach(() => {
  vi.useFakeTimers()
  localStorage.setItem('sf.accountToken', 'adm')
})
afterEach(() => vi.useRealTimers())

describe('QueuesPage', () => {
  it('refreshes depths, lists workers, and deletes dead letters only after confirming', async () => {
    let ready = 5
    let dead = 2
    const server = fakeServer({
      'GET /api/v1/admin/queues': () =>
        json({
          queues: [{ name: 'default', ready: ready--, delayed: 0, in_flight: 1, dead }],
          workers: [{ id: 'w1', hostname: 'box', pid: 42, last_seen: '2026-11-25T10:00:00Z' }],
        }),
      'DELETE /api/v1/admin/queues/default/dead': () => {
        dead = 0
        return json({ deleted: 2 })
      },
    })
    const w = mount(QueuesPage, { attachTo: document.body })
    await flushPromises()
    expect(w.get('[data-testid=queues-table]').text()).toContain('default')
    expect(w.get('[data-testid=queues-table] tbody td').text()).toBe('5')
    expect(w.text()).toContain('Workers (1)')

    await vi.advanceTimersByTimeAsync(2000)
    await flushPromises()
    expect(w.get('[data-testid=queues-table] tbody td').text()).toBe('4') // it moved on its own

    await w.findAll('button').find((b) => b.text() === 'Delete')!.trigger('click')
    await flushPromises()
    expect(server.calls.some((c) => c.method === 'DELETE')).toBe(false) // not before confirming
    await w.findAll('button').find((b) => b.text() === 'Delete them')!.trigger('click')
    await flushPromises()
    expect(server.calls.some((c) => c.method === 'DELETE')).toBe(true)
    expect(w.text()).toContain('Dead letters of default were deleted.')
    w.unmount()
  })
})
