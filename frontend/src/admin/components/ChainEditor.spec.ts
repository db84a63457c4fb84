import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import type { ModelRoute } from '@/api/types'
import ChainEditor from '@/admin/components/ChainEditor.vue'

const route: ModelRoute = {
  task: 'explanation',
  chain: [
    { provider: 'gemini', model: 'gemini-2.5-flash', params: {} },
    { provider: 'openai', model: 'gpt-4o-mini', params: { temperature: 0.3 } },
  ],
}

describe('ChainEditor', () => {
  it('reorders links and saves the chain in the new order', async () => {
    const w = mount(ChainEditor, { props: { route, busy: false } })
    await w.get('[aria-label="Move link 2 up"]').trigger('click')
    await w.get('form').trigger('submit')
    expect(w.emitted('save')![0][0]).toEqual([
      { provider: 'openai', model: 'gpt-4o-mini', params: { temperature: 0.3 } },
      { provider: 'gemini', model: 'gemini-2.5-flash', params: {} },
    ])
  })

  it('refuses an empty model, bad params and an empty chain, saying which link', async () => {
    const w = mount(ChainEditor, { props: { route, busy: false } })
    await w.get('#explanation-x0').setValue('{temperature: 1}')
    await w.get('form').trigger('submit')
    expect(w.get('[role=alert]').text()).toContain('Link 1: params must be a JSON object')
    await w.get('#explanation-x0').setValue('')
    await w.get('#explanation-m1').setValue('  ')
    await w.get('form').trigger('submit')
    expect(w.get('[role=alert]').text()).toBe('Link 2: name the model.')
    await w.get('[aria-label="Remove link 2"]').trigger('click')
    await w.get('[aria-label="Remove link 1"]').trigger('click')
    await w.get('form').trigger('submit')
    expect(w.get('[role=alert]').text()).toBe('A chain needs at least one link.')
    expect(w.emitted('save')).toBeUndefined()
  })
})
