// Shared e2e helpers: a page that fails the test on any console error or uncaught exception,
// the demo logins `studyforge dev` seeds, and screenshots saved for the README.
import { resolve } from 'node:path'
import { test as base, expect, type Page } from '@playwright/test'

export const DEMO = {
  parent: { email: 'parent@studyforge.local', password: 'parent-demo-pass' },
  admin: { email: 'admin@studyforge.local', password: 'admin-demo-pass' },
  operator: { email: 'operator@studyforge.local', password: 'operator-demo-pass' },
}

const SHOTS = resolve(import.meta.dirname, '../../docs/screenshots')

export async function shot(page: Page, name: string) {
  await page.screenshot({ path: resolve(SHOTS, `${name}.png`), fullPage: true })
}

export async function login(page: Page, who: { email: string; password: string }) {
  await page.goto('/login')
  await page.getByLabel('Email').fill(who.email)
  await page.getByLabel('Password').fill(who.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible()
}

/** Push a URL pattern to accept the browser's own log line for an expected failed request. */
export const test = base.extend<{ expectedHttpErrors: RegExp[] }>({
  expectedHttpErrors: [
    async ({ page }, use) => {
      const allowed: RegExp[] = []
      const errors: string[] = []
      page.on('console', (m) => {
        if (m.type() !== 'error') return
        const url = m.location().url
        if (m.text().startsWith('Failed to load resource') && allowed.some((re) => re.test(url))) return
        errors.push(`console: ${m.text()} (${url})`)
      })
      page.on('pageerror', (e) => errors.push(`page error: ${e.message}`))
      await use(allowed)
      expect(errors, 'the page logged errors').toEqual([])
    },
    { auto: true },
  ],
})

export { expect }

// Endpoints the backend did not describe when the client was generated (scripts/gen-api.mjs).
// Tests of pages that need them are skipped, by name, until the backend serves them.
import pending from '../src/api/pending.json' with { type: 'json' }

export const served = (...endpoints: string[]) => endpoints.every((e) => !(pending as string[]).includes(e))
export const waitingFor = (...endpoints: string[]) =>
  `waiting for the backend to serve ${endpoints.filter((e) => !served(e)).join(', ')}`

/** A bearer token for API calls made beside the page (setting up data, checking results). */
export async function tokenFor(page: Page, who: { email: string; password: string }) {
  const r = await page.request.post('/api/v1/auth/token', { form: { username: who.email, password: who.password } })
  expect(r.ok()).toBeTruthy()
  return ((await r.json()) as { access_token: string }).access_token
}
