import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { avatarOf, useProfilesStore } from '@/profiles/store'
import { fakeServer, json } from '@/testing/fakeServer'

const maya = { id: 1, parent_id: 3, display_name: 'Maya', current_grade: 4, avatar_config: {} }

beforeEach(() => {
  localStorage.setItem('sf.accountToken', 'acc')
  setActivePinia(createPinia())
})

describe('profiles store', () => {
  it('loads, creates, edits and deletes children, keeping the list in step', async () => {
    const server = fakeServer({
      'GET /api/v1/profiles': () => json([maya]),
      'POST /api/v1/profiles': async (req) => json({ ...(await req.json()), id: 2, parent_id: 3 }, 201),
      'PATCH /api/v1/profiles/1': async (req) => json({ ...maya, ...(await req.json()) }),
      'DELETE /api/v1/profiles/2': () => new Response(null, { status: 204 }),
    })
    const store = useProfilesStore()
    await store.load()
    expect(store.items.map((p) => p.display_name)).toEqual(['Maya'])
    await store.create({ display_name: 'Leo', current_grade: 5, avatar_config: { emoji: '🦁' } })
    await store.update(1, { current_grade: 5 })
    expect(store.items.map((p) => [p.display_name, p.current_grade])).toEqual([['Maya', 5], ['Leo', 5]])
    await store.remove(2)
    expect(store.items.map((p) => p.id)).toEqual([1])
    expect(server.calls.at(-1)?.method).toBe('DELETE')
  })

  it('keeps the list and says why when a delete fails', async () => {
    fakeServer({
      'GET /api/v1/profiles': () => json([maya]),
      'DELETE /api/v1/profiles/1': () => json({ detail: 'Profile 1 not found.' }, 404),
    })
    const store = useProfilesStore()
    await store.load()
    await expect(store.remove(1)).rejects.toThrow('Profile 1 not found.')
    expect(store.items).toHaveLength(1)
  })

  it('shows an error state when the list cannot be loaded', async () => {
    fakeServer({ 'GET /api/v1/profiles': () => json({ detail: 'Database unavailable.' }, 503) })
    const store = useProfilesStore()
    await store.load()
    expect(store.error).toBe('Database unavailable.')
    expect(store.loading).toBe(false)
  })
})

describe('avatarOf', () => {
  it('reads our emoji/colour, the demo data animal/colour names, and defaults stably', () => {
    expect(avatarOf({ emoji: '🐼', color: '#112233' }, 'A')).toEqual({ emoji: '🐼', color: '#112233' })
    expect(avatarOf({ animal: 'fox', color: 'teal' }, 'Maya')).toEqual({ emoji: '🦊', color: 'teal' })
    expect(avatarOf({ color: 'url(javascript:x)' }, 'Leo')).toEqual(avatarOf({}, 'Leo'))
  })
})
