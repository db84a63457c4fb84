import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import JobProgress from '@/jobs/components/JobProgress.vue'

const base = { id: 'j', kind: 'explanation', created_at: '', started_at: null, finished_at: null, result: null, error: null }

describe('JobProgress', () => {
  it('shows the stage and a progress bar while running', () => {
    const w = mount(JobProgress, { props: { label: 'x', job: { ...base, status: 'running' as const, progress: 0.4, stage: 'generating' } } })
    expect(w.text()).toContain('Working on it (generating)… 40%')
    expect(w.get('[role=progressbar]').attributes('aria-valuenow')).toBe('40')
  })

  it('says why a failed job failed', () => {
    const w = mount(JobProgress, {
      props: { label: 'x', job: { ...base, status: 'failed' as const, progress: 0.2, error: { code: 'providers_failed', message: 'Every provider in the chain failed.' } } },
    })
    expect(w.text()).toContain("It didn't work: Every provider in the chain failed.")
    expect(w.find('[role=progressbar]').exists()).toBe(false)
  })
})
