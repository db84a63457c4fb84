// Who is signed in: the account (parent, admin, operator) and, for a parent, the child profile
// it is currently acting as. Tokens persist in localStorage so a reload keeps the session.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, setUnauthorizedHandler, studentApi, tokens } from '@/api/client'
import { unwrap } from '@/api/errors'
import type { Me, Profile } from '@/api/types'

export type Role = 'parent' | 'admin' | 'operator' | 'student'

export const useAuthStore = defineStore('auth', () => {
  const account = ref<Me | null>(null)
  const student = ref<Me | null>(null)
  const accountToken = ref<string | null>(tokens.account())
  const profileToken = ref<string | null>(tokens.student())
  // /me for a profile token carries no avatar; keep the picked tile's so the header matches.
  const studentAvatar = ref<unknown>(JSON.parse(localStorage.getItem('sf.profileAvatar') ?? 'null'))

  const role = computed(() => (account.value?.role ?? null) as Role | null)
  const signedIn = computed(() => accountToken.value !== null)

  function setAccountToken(value: string | null) {
    tokens.set('account', value)
    accountToken.value = value
  }
  function setProfileToken(value: string | null) {
    tokens.set('student', value)
    profileToken.value = value
  }

  async function login(email: string, password: string) {
    const token = unwrap(
      await api.POST('/api/v1/auth/token', {
        body: { username: email, password },
        bodySerializer: (b) => new URLSearchParams(b as Record<string, string>),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      }),
    )
    setProfileToken(null)
    student.value = null
    setAccountToken(token.access_token)
    await loadAccount()
  }

  async function register(email: string, password: string) {
    unwrap(await api.POST('/api/v1/auth/register', { body: { email, password } }))
    await login(email, password)
  }

  /** Loads who the stored tokens belong to; clears a token the server no longer accepts. */
  async function loadAccount() {
    if (!accountToken.value) return null
    account.value = unwrap(await api.GET('/api/v1/me'))
    return account.value
  }

  async function loadStudent() {
    if (!profileToken.value) return null
    student.value = unwrap(await studentApi.GET('/api/v1/me'))
    return student.value
  }

  /** A parent starts acting as one of its children (the profile picker). */
  async function actAs(profile: Pick<Profile, 'id'> & Partial<Pick<Profile, 'avatar_config'>>) {
    const token = unwrap(
      await api.POST('/api/v1/auth/profile-token', { body: { profile_id: profile.id } }),
    )
    setProfileToken(token.access_token)
    studentAvatar.value = profile.avatar_config ?? null
    localStorage.setItem('sf.profileAvatar', JSON.stringify(studentAvatar.value))
    await loadStudent()
  }

  function leaveProfile() {
    setProfileToken(null)
    student.value = null
    studentAvatar.value = null
    localStorage.removeItem('sf.profileAvatar')
  }

  function logout() {
    leaveProfile()
    setAccountToken(null)
    account.value = null
  }

  setUnauthorizedHandler((which) => {
    if (which === 'student') leaveProfile()
    else logout()
  })

  /** Where a freshly signed-in account lands. */
  const homePath = computed(() => {
    switch (role.value) {
      case 'admin':
        return '/admin'
      case 'operator':
        return '/operator/batches'
      case 'parent':
        return '/profiles'
      default:
        return '/login'
    }
  })

  return {
    account, student, studentAvatar, accountToken, profileToken, role, signedIn, homePath,
    login, register, loadAccount, loadStudent, actAs, leaveProfile, logout,
  }
})
