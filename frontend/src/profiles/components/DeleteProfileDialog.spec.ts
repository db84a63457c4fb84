import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import DeleteProfileDialog from '@/profiles/components/DeleteProfileDialog.vue'

const leo = { id: 2, parent_id: 1, display_name: 'Leo', current_grade: 5, avatar_config: {} }

describe('DeleteProfileDialog', () => {
  it('lists what is erased and confirms only once the name is typed', async () => {
    const w = mount(DeleteProfileDialog, { props: { profile: leo, busy: false, error: null }, attachTo: document.body })
    await w.vm.$nextTick()
    expect(w.text()).toContain("Delete Leo's profile?")
    expect(w.get('[data-testid=erase-list]').text()).toMatch(/progress.*answer.*activity history/s)
    expect(w.text()).toContain('cannot be undone')
    const confirm = w.findAll('button').find((b) => b.text() === 'Delete everything')!
    expect(confirm.attributes('disabled')).toBeDefined()
    await w.get('#dlg-type').setValue('leo')
    expect(confirm.attributes('disabled')).toBeDefined() // must match exactly
    await w.get('#dlg-type').setValue('Leo')
    expect(confirm.attributes('disabled')).toBeUndefined()
    await confirm.trigger('click')
    expect(w.emitted('confirm')).toHaveLength(1)
    w.unmount()
  })
})
