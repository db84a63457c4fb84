// Given a server that serves the batch endpoints (API.md), the page previews with a dry run
// first, starts only what was previewed, and follows the batch to its end.
import { flushPromises, mount } from '@vue/test-utils'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import BatchesPage from '@/batches/pages/BatchesPage.vue'
import { fakeServer, json, sse } from '@/testing/fakeServer'

vi.mock('@/api/pending.json', () => ({ default: [] }))

const batch = (status: string, succeeded: number) => ({
  id: 3, status, total: 4, succeeded, failed: 0, skipped: 2, cost_usd: 0.01,
  created_at: '2026-11-25T10:00:00Z', finished_at: status === 'running' ? null : '2026-11-25T10:01:00Z',
})

beforeEach(() => {
  localStorage.clear()
  localStorage.setItem('sf.accountToken', 'op')
})

describe('BatchesPage', () => {
  it('dry-runs, starts the previewed batch, and follows it live to the end', async () => {
    const posted: unknown[] = []
    fakeServer({
      'GET /api/v1/curriculum': () => json([{ id: 1, grade: 5, subject: 'Math', chapter_name: 'Fractions', order_index: 0 }]),
      'GET /api/v1/batches': () => json([]),
      'POST /api/v1/batches': async (req) => {
        const body = await req.json()
        posted.push(body)
        return body.dry_run
          ? json({ batch_id: null, total_jobs: 4, skipped_existing: 2, estimated_cost_usd: 0.02 })
          : json({ batch_id: 3, total_jobs: 4, skipped_existing: 2, estimated_cost_usd: 0.02 }, 202)
      },
      'GET /api/v1/batches/3': () => json(batch('running', 1)),
      'GET /api/v1/batches/3/events': () =>
        sse({ event: 'progress', data: batch('running', 3) }, { event: 'progress', data: batch('succeeded', 4) }),
    })
    const w = mount(BatchesPage, { global: { stubs: { RouterLink: true } } })
    await flushPromises()
    const start = () => w.findAll('button').find((b) => b.text() === 'Start batch')!
    expect(start().attributes('disabled')).toBeDefined()

    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid=dry-run]').text()).toContain('4 job(s) would run, 2 already exist')
    expect(start().attributes('disabled')).toBeUndefined()

    // Changing a setting invalidates the preview.
    await w.get('#b-budget').setValue('1.5')
    expect(start().attributes('disabled')).toBeDefined()
    await w.get('form').trigger('submit')
    await flushPromises()
    await start().trigger('click')
    await flushPromises()
    await flushPromises()

    expect(posted).toEqual([
      { grade: 5, kinds: ['explanation'], force: false, dry_run: true },
      { grade: 5, kinds: ['explanation'], force: false, budget_usd: 1.5, dry_run: true },
      { grade: 5, kinds: ['explanation'], force: false, budget_usd: 1.5, dry_run: false },
    ])
    const live = w.get('[data-testid=live-batch]')
    expect(live.attributes('data-status')).toBe('succeeded')
    expect(live.get('[role=progressbar]').attributes('aria-valuenow')).toBe('100')
    expect(live.text()).toContain('4 done · 0 failed · 2 skipped of 4')
  })
})
