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

export const test = base.extend<{ consoleErrors: string[] }>({
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = []
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`console: ${m.text()} (${m.location().url})`)
      })
      page.on('pageerror', (e) => errors.push(`page error: ${e.message}`))
      await use(errors)
      expect(errors, 'the page logged errors').toEqual([])
    },
    { auto: true },
  ],
})

export { expect }
