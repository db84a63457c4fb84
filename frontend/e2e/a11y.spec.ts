// Automated accessibility check (axe-core) of the pages a child and a parent use, in the real
// browser: no serious or critical WCAG A/AA violations.
import AxeBuilder from '@axe-core/playwright'
import { DEMO, expect, login, test } from './fixtures'

async function audit(page: import('@playwright/test').Page, label: string) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze()
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${label}: ${v.id} (${v.impact}) ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} ${n.failureSummary ?? ''}`).join('; ')}`)
  expect(bad).toEqual([])
}

test('student and parent pages have no serious accessibility violations', async ({ page }) => {
  await page.goto('/login')
  await audit(page, 'login')
  await login(page, DEMO.parent)
  await audit(page, 'profile picker')
  await page.getByRole('link', { name: 'Manage children' }).click()
  await expect(page.getByRole('heading', { name: 'Maya' })).toBeVisible()
  await audit(page, 'children')
  await page.getByRole('link', { name: 'Profiles' }).click()
  await page.getByRole('button', { name: /Maya/ }).click()
  await expect(page.locator('a.chapter').first()).toBeVisible()
  await audit(page, 'curriculum')
  await page.locator('a.chapter').first().click()
  await expect(page.getByRole('button', { name: 'Explain it!' })).toBeVisible()
  await audit(page, 'chapter')
})

test('admin and operator pages have no serious accessibility violations', async ({ page }) => {
  await login(page, DEMO.admin)
  for (const [path, name] of [['/admin', 'Queues'], ['/admin/routes', 'Model routes'], ['/operator/batches', 'Batches']]) {
    await page.goto(path)
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible()
    await audit(page, path)
  }
})
