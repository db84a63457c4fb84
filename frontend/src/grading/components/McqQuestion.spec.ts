import { flushPromises, mount } from '@vue/test-utils'
import { beforeEach, describe, expect, it } from 'vitest'
import McqQuestion from '@/grading/components/McqQuestion.vue'
import { fakeServer, json } from '@/testing/fakeServer'

const question = {
  id: 11, content_block_id: 3, type: 'mcq' as const, question_text: 'What is 1/2 of 8?',
  options: ['2', '4', '6'], difficulty: 'easy',
}

beforeEach(() => localStorage.setItem('sf.profileToken', 'kid'))

describe('McqQuestion', () => {
  it('sends the chosen option index and shows instant feedback with the right answer', async () => {
    const server = fakeServer({
      'POST /api/v1/questions/11/answers': async (req) => {
        const { answer } = await req.json()
        return json({ submission_id: 5, status: 'graded', correct: answer === 1, score: answer === 1 ? 10 : 0, feedback: 'Half of 8 is 4.', correct_answer: '4' })
      },
    })
    const w = mount(McqQuestion, { props: { question, number: 1 } })
    const check = w.get('button[type=submit]')
    expect(check.attributes('disabled')).toBeDefined() // nothing chosen yet
    await w.get('#q11-o2').setValue(true)
    await w.get('form').trigger('submit')
    await flushPromises()
    const feedback = w.get('[data-testid=mcq-feedback]')
    expect(feedback.text()).toContain('Not quite.')
    expect(feedback.text()).toContain('The answer is “4”.')
    expect(w.findAll('.option')[1].classes()).toContain('right')
    expect(w.findAll('.option')[2].classes()).toContain('wrong')
    expect(await server.calls[0].req.json()).toEqual({ answer: 2 })
    expect(w.emitted('answered')).toHaveLength(1)
  })

  it('keeps the question answerable and explains when the server refuses', async () => {
    fakeServer({ 'POST /api/v1/questions/11/answers': () => json({ detail: 'Too many requests.' }, 429) })
    const w = mount(McqQuestion, { props: { question, number: 1 } })
    await w.get('#q11-o1').setValue(true)
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.get('[role=alert]').text()).toBe('Too many requests.')
    expect(w.find('[data-testid=mcq-feedback]').exists()).toBe(false)
    expect(w.get('button[type=submit]').attributes('disabled')).toBeUndefined()
  })
})
