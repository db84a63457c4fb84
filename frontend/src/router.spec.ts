import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { createAppRouter } from '@/router'
import { fakeServer, json } from '@/testing/fakeServer'

function signedInAs(role: string) {
  localStorage.setItem('sf.accountToken', `tok-${role}`)
  fakeServer({ 'GET /api/v1/me': () => json({ id: 1, email: `${role}@x.org`, role }) })
}

beforeEach(() => {
  localStorage.clear()
  setActivePinia(createPinia())
})

describe('route guards', () => {
  it('sends each role to its start page', async () => {
    for (const [role, home] of [['admin', '/admin'], ['operator', '/operator/batches'], ['parent', '/profiles']]) {
      setActivePinia(createPinia())
      signedInAs(role)
      const router = createAppRouter()
      await router.push('/')
      expect(router.currentRoute.value.path).toBe(home)
    }
  })

  it('asks a visitor to sign in, remembering where they were going', async () => {
    fakeServer({})
    const router = createAppRouter()
    await router.push('/children')
    expect(router.currentRoute.value.fullPath).toBe('/login?next=/children')
  })

  it('keeps a parent out of admin pages and an operator out of admin-only ones', async () => {
    signedInAs('parent')
    let router = createAppRouter()
    await router.push('/admin/routes')
    expect(router.currentRoute.value.path).toBe('/profiles')

    setActivePinia(createPinia())
    signedInAs('operator')
    router = createAppRouter()
    await router.push('/admin/routes')
    expect(router.currentRoute.value.path).toBe('/operator/batches')
    await router.push('/admin')
    expect(router.currentRoute.value.path).toBe('/admin') // operators read the dashboards
  })

  it('sends a parent without a chosen child to the profile picker', async () => {
    signedInAs('parent')
    const router = createAppRouter()
    await router.push('/learn')
    expect(router.currentRoute.value.path).toBe('/profiles')
  })
})
