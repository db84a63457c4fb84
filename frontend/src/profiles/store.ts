// A parent's children: the list every parent page shares, kept fresh after each change.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api } from '@/api/client'
import { messageOf, unwrap } from '@/api/errors'
import type { Profile, ProfileInput, ProfilePatch } from '@/api/types'

export const useProfilesStore = defineStore('profiles', () => {
  const items = ref<Profile[]>([])
  const loading = ref(false)
  const error = ref<string | null>(null)
  const loaded = ref(false)

  async function load() {
    loading.value = true
    error.value = null
    try {
      items.value = unwrap(await api.GET('/api/v1/profiles'))
      loaded.value = true
    } catch (err) {
      error.value = messageOf(err)
    } finally {
      loading.value = false
    }
  }

  async function create(input: ProfileInput) {
    const created = unwrap(await api.POST('/api/v1/profiles', { body: input }))
    items.value = [...items.value, created]
    return created
  }

  async function update(id: number, input: ProfilePatch) {
    const updated = unwrap(
      await api.PATCH('/api/v1/profiles/{profile_id}', {
        params: { path: { profile_id: id } },
        body: input,
      }),
    )
    items.value = items.value.map((p) => (p.id === id ? updated : p))
    return updated
  }

  async function remove(id: number) {
    unwrap(
      await api.DELETE('/api/v1/profiles/{profile_id}', { params: { path: { profile_id: id } } }),
    )
    items.value = items.value.filter((p) => p.id !== id)
  }

  return { items, loading, error, loaded, load, create, update, remove }
})

export const GRADES = Array.from({ length: 13 }, (_, g) => ({
  value: g,
  label: g === 0 ? 'Kindergarten' : `Grade ${g}`,
}))

export function gradeLabel(grade: number | null | undefined): string {
  if (grade === null || grade === undefined) return ''
  return grade === 0 ? 'Kindergarten' : `Grade ${grade}`
}

export const AVATARS = ['🦊', '🐼', '🦁', '🐙', '🦄', '🐢', '🚀', '🌟']
export const COLORS = ['#3651d4', '#1b7f4b', '#d4368c', '#f0a202', '#7b3fc4', '#0f8a9d']

// Profiles made elsewhere (the demo data, other clients) may name an animal and a CSS colour.
const ANIMALS: Record<string, string> = {
  fox: '🦊', owl: '🦉', panda: '🐼', lion: '🦁', octopus: '🐙', unicorn: '🦄', turtle: '🐢',
  cat: '🐱', dog: '🐶', rabbit: '🐰', bear: '🐻', frog: '🐸',
}

export interface AvatarConfig {
  emoji?: string
  color?: string
  animal?: string
}

export function avatarOf(config: unknown, name: string): { emoji: string; color: string } {
  const c = (config ?? {}) as AvatarConfig
  // A stable default per name, so a child without a chosen avatar still has a recognisable one.
  const seed = [...name].reduce((a, ch) => a + ch.charCodeAt(0), 0)
  return {
    emoji:
      c.emoji && AVATARS.includes(c.emoji)
        ? c.emoji
        : (ANIMALS[c.animal ?? ''] ?? AVATARS[seed % AVATARS.length]),
    color:
      c.color && (/^#[0-9a-f]{6}$/i.test(c.color) || /^[a-z]{3,20}$/.test(c.color))
        ? c.color
        : COLORS[seed % COLORS.length],
  }
}
