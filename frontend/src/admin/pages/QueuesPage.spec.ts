// Given a server that serves the queue endpoints (API.md): live depths, workers, and dead
// letters that are only deleted after a confirmation.
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import QueuesPage from '@/admin/pages/QueuesPage.vue'
import { useAuthStore } from '@/auth/store'
import { fakeServer, json } from '@/testing/fakeServer'

vi.mock('@/api/pending.json', () => ({ default: [] }))

beforeEach(() => {
  vi.useFakeTimers()
  localStorage.setItem('sf.accountToken', 'adm')
  setActivePinia(createPinia())
  useAuthStore().account = { id: 1, email: 'a@x.org', role: 'admin' }
})
afterEach(() => vi.useRealTimers())

describe('QueuesPage', () => {
  it('shows an operator the queues without the buttons that change them', async () => {
    useAuthStore().account = { id: 2, email: 'o@x.org', role: 'operator' }
    fakeServer({
      'GET /api/v1/admin/queues': () => json({ queues: [{ name: 'default', ready: 0, delayed: 0, in_flight: 0, dead: 3 }], workers: [] }),
    })
    const w = mount(QueuesPage)
    await flushPromises()
    expect(w.text()).toContain('No worker is running')
    expect(w.findAll('[data-testid=queues-table] button').map((b) => b.text())).toEqual(['View dead'])
    w.unmount()
  })

  it('refreshes depths, lists workers, and deletes dead letters only after confirming', async () => {
    let ready = 5
    let dead = 2
    const server = fakeServer({
      'GET /api/v1/admin/queues': () =>
        json({
          queues: [{ name: 'default', ready: ready--, delayed: 0, in_flight: 1, dead }],
          workers: [{ id: 'w1', hostname: 'box', pid: 42, last_seen: '2026-11-25T10:00:00Z' }],
        }),
      'GET /api/v1/admin/queues/history': () =>
        json({
          window: '15m', step_seconds: 60, bucket_starts: ['2026-11-25T10:00:00Z', '2026-11-25T10:01:00Z'],
          series: [
            { actor: 'generations.generate', processed: [3, 4], failed: [0, 1], retried: [0, 1], dead: [0, 0] },
            { actor: 'jobs.reap', processed: [1, 1], failed: [0, 0], retried: [0, 0], dead: [0, 0] },
          ],
          latency: [],
        }),
      'DELETE /api/v1/admin/queues/default/dead': () => {
        dead = 0
        return json({ deleted: 2 })
      },
    })
    const w = mount(QueuesPage, { attachTo: document.body })
    const t = () => w.get('[data-testid=queues-table] tbody td').text()
    await flushPromises()
    expect(w.get('[data-testid=queues-table]').text()).toContain('default')
    expect(t()).toBe('5')
    expect(w.text()).toContain('Workers (1)')
    // The server's per-minute history, summed over actors.
    const perMinute = w.findAll('figure').find((f) => f.text().includes('Messages per minute'))!
    expect(perMinute.findAll('tbody tr').map((r) => r.findAll('td').map((c) => c.text()))).toEqual([
      ['4', '0', '0'],
      ['5', '1', '0'],
    ])

    await vi.advanceTimersByTimeAsync(2000)
    await flushPromises()
    expect(t()).toBe('4') // it moved on its own

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
