import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { api } from '@/api/client'
import { ApiError } from '@/api/errors'
import { useAuthStore } from '@/auth/store'
import { fakeServer, json } from '@/testing/fakeServer'

beforeEach(() => {
  localStorage.clear()
  setActivePinia(createPinia())
})

describe('auth store', () => {
  it('signs in with the OAuth2 password form and loads who the token belongs to', async () => {
    const server = fakeServer({
      'POST /api/v1/auth/token': async (req) => {
        const form = new URLSearchParams(await req.text())
        expect(req.headers.get('Content-Type')).toContain('application/x-www-form-urlencoded')
        return form.get('username') === 'p@x.org' && form.get('password') === 'secret-pass'
          ? json({ access_token: 'acc-1', token_type: 'bearer', expires_in: 3600 })
          : json({ detail: 'Incorrect email or password.' }, 401)
      },
      'GET /api/v1/me': (req) =>
        req.headers.get('Authorization') === 'Bearer acc-1'
          ? json({ id: 1, email: 'p@x.org', role: 'parent' })
          : json({ detail: 'Not authenticated' }, 401),
    })
    const auth = useAuthStore()
    await auth.login('p@x.org', 'secret-pass')
    expect(auth.role).toBe('parent')
    expect(auth.homePath).toBe('/profiles')
    expect(localStorage.getItem('sf.accountToken')).toBe('acc-1')
    expect(server.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /api/v1/auth/token',
      'GET /api/v1/me',
    ])
  })

  it("shows the server's reason when the password is wrong, and stays signed out", async () => {
    fakeServer({ 'POST /api/v1/auth/token': () => json({ detail: 'Incorrect email or password.' }, 401) })
    const auth = useAuthStore()
    await expect(auth.login('p@x.org', 'nope-nope')).rejects.toThrow('Incorrect email or password.')
    expect(auth.signedIn).toBe(false)
  })

  it('acts as a child with a separate profile token, and leaving drops only that', async () => {
    localStorage.setItem('sf.accountToken', 'acc-1')
    fakeServer({
      'POST /api/v1/auth/profile-token': async (req) => {
        expect(req.headers.get('Authorization')).toBe('Bearer acc-1')
        expect(await req.json()).toEqual({ profile_id: 7 })
        return json({ access_token: 'kid-7', token_type: 'bearer', expires_in: 3600 })
      },
      'GET /api/v1/me': (req) =>
        req.headers.get('Authorization') === 'Bearer kid-7'
          ? json({ role: 'student', profile_id: 7, display_name: 'Maya', current_grade: 4 })
          : json({ id: 1, email: 'p@x.org', role: 'parent' }),
    })
    const auth = useAuthStore()
    await auth.actAs({ id: 7, avatar_config: { animal: 'fox' } })
    expect(auth.student?.display_name).toBe('Maya')
    expect(auth.studentAvatar).toEqual({ animal: 'fox' })
    auth.leaveProfile()
    expect(auth.profileToken).toBeNull()
    expect(auth.accountToken).toBe('acc-1')
  })

  it('signs out when the server rejects the account token', async () => {
    localStorage.setItem('sf.accountToken', 'expired')
    fakeServer({ 'GET /api/v1/profiles': () => json({ detail: 'Token expired.' }, 401) })
    const auth = useAuthStore()
    const result = await api.GET('/api/v1/profiles')
    expect(result.response.status).toBe(401)
    expect(auth.signedIn).toBe(false)
    expect(localStorage.getItem('sf.accountToken')).toBeNull()
  })

  it('turns a 422 list into one readable sentence', async () => {
    fakeServer({
      'POST /api/v1/auth/register': () =>
        json({ detail: [{ loc: ['body', 'password'], msg: 'String should have at least 8 characters' }] }, 422),
    })
    const err = await useAuthStore().register('a@b.org', 'short').catch((e) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err.message).toBe('password: String should have at least 8 characters')
    expect(err.status).toBe(422)
  })
})
