import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import ShortAnswerQuestion from '@/grading/components/ShortAnswerQuestion.vue'
import { fakeServer, json, sse } from '@/testing/fakeServer'

const question = { id: 12, content_block_id: 3, type: 'short' as const, question_text: 'Why do leaves fall?', options: null, difficulty: 'medium' }
const job = (status: string) => ({ id: 'g1', kind: 'grading', status, progress: status === 'succeeded' ? 1 : 0.3, created_at: '', started_at: null, finished_at: null, result: null, error: null })

describe('ShortAnswerQuestion', () => {
  it('shows grading… while the job runs, then the score and feedback', async () => {
    localStorage.setItem('sf.profileToken', 'kid')
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    fakeServer({
      'POST /api/v1/questions/12/answers': () => json({ submission_id: 40, job_id: 'g1', status: 'pending' }, 202),
      'GET /api/v1/jobs/g1/events': async () => {
        await gate
        return sse({ event: 'status', data: job('running') }, { event: 'status', data: job('succeeded') })
      },
      'GET /api/v1/submissions/40': () => json({ id: 40, question_id: 12, profile_id: 1, answer: 'x', status: 'graded', score: 7, feedback: 'Good: mention daylight too.', graded_by: 'openai/gpt', graded_at: '', provisional: false, flagged: false }),
    })
    const w = mount(ShortAnswerQuestion, { props: { question, number: 2 } })
    await w.get('textarea').setValue('Because it gets cold.')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.text()).toContain('Grading…')
    release()
    await flushPromises()
    await flushPromises()
    const fb = w.get('[data-testid=short-feedback]')
    expect(fb.text()).toContain('Score: 7/10')
    expect(fb.text()).toContain('mention daylight')
  })
})
