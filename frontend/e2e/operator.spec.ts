import { DEMO, expect, login, served, shot, test, waitingFor } from './fixtures'

const BATCHES = ['POST /api/v1/batches', 'GET /api/v1/batches/{batch_id}']

test('an operator lands on batches', async ({ page }) => {
  await login(page, DEMO.operator)
  await expect(page).toHaveURL(/\/operator\/batches$/)
  await expect(page.getByRole('heading', { name: 'Batches', level: 1 })).toBeVisible()
  if (!served(...BATCHES)) await expect(page.getByTestId('not-served')).toContainText('/api/v1/batches')
  await shot(page, 'operator-batches')
})

test('an operator previews a batch with a dry run, then runs it to completion', async ({ page }) => {
  test.skip(!served(...BATCHES), waitingFor(...BATCHES))
  await login(page, DEMO.operator)
  await page.getByLabel('Grade').selectOption({ label: 'Grade 4' })
  const start = page.getByRole('button', { name: 'Start batch' })
  await expect(start).toBeDisabled() // nothing starts before a dry run
  await page.getByRole('button', { name: 'Preview (dry run)' }).click()
  const preview = page.getByTestId('dry-run')
  await expect(preview).toContainText('Nothing was started')
  await shot(page, 'operator-dry-run')
  await start.click()
  const live = page.getByTestId('live-batch')
  await expect(live).toBeVisible()
  await expect(live).toHaveAttribute('data-status', /succeeded|partial/, { timeout: 45_000 })
  await expect(live.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100')
  await shot(page, 'operator-batch-done')
  await expect(page.locator('table tbody tr').first()).toContainText(/succeeded|partial/)
})
