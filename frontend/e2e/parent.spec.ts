import { DEMO, expect, login, served, shot, test, tokenFor, waitingFor } from './fixtures'

test('a parent adds, edits and deletes a child, with a clear confirmation', async ({ page }) => {
  await login(page, DEMO.parent)
  await page.getByRole('link', { name: 'Manage children' }).click()
  await expect(page.getByRole('heading', { name: 'Children' })).toBeVisible()

  await page.getByRole('button', { name: 'Add a child' }).click()
  await page.getByLabel('Name').fill('Zoe')
  await page.getByLabel('Grade').selectOption({ label: 'Grade 2' })
  await page.getByRole('radio', { name: '🐼' }).check()
  await page.getByRole('button', { name: 'Create profile' }).click()
  await expect(page.getByText("Zoe's profile is ready.")).toBeVisible()
  const zoe = page.locator('li', { has: page.getByRole('heading', { name: 'Zoe' }) })
  await expect(zoe).toContainText('Grade 2')

  await zoe.getByRole('button', { name: 'Edit' }).click()
  await page.getByLabel('Grade').selectOption({ label: 'Grade 3' })
  await page.getByLabel(/Explanations per day/).fill('3')
  await page.getByRole('button', { name: 'Save' }).click()
  await expect(zoe).toContainText('Grade 3')
  await expect(zoe).toContainText('up to 3 explanations a day')
  await shot(page, 'parent-children')

  await zoe.getByRole('button', { name: 'Delete' }).click()
  const dialog = page.getByRole('dialog', { name: "Delete Zoe's profile?" })
  await expect(dialog).toBeVisible()
  await expect(dialog).toContainText('every answer and its grading')
  await expect(dialog).toContainText('This cannot be undone.')
  const confirm = dialog.getByRole('button', { name: 'Delete everything' })
  await expect(confirm).toBeDisabled()
  await dialog.getByLabel(/Type Zoe to confirm/).fill('Zoe')
  await shot(page, 'parent-delete-confirmation')
  await confirm.click()
  await expect(page.getByText("Zoe's profile and data were deleted.")).toBeVisible()
  await expect(page.getByRole('heading', { name: 'Zoe' })).toHaveCount(0)

  // Escape cancels without deleting anything.
  const maya = page.locator('li', { has: page.getByRole('heading', { name: 'Maya' }) })
  await maya.getByRole('button', { name: 'Delete' }).click()
  await page.keyboard.press('Escape')
  await expect(page.getByRole('dialog')).toHaveCount(0)
  await expect(page.getByRole('heading', { name: 'Maya' })).toBeVisible()
})

test('a wrong password is refused with the reason; a new parent signs up', async ({ page, expectedHttpErrors }) => {
  expectedHttpErrors.push(/\/api\/v1\/auth\/token$/)
  await page.goto('/login')
  await page.getByLabel('Email').fill(DEMO.parent.email)
  await page.getByLabel('Password').fill('not-the-password')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('alert')).toContainText(/incorrect|invalid|wrong/i)
  await expect(page).toHaveURL(/\/login/)

  await page.getByRole('link', { name: 'Create a parent account' }).click()
  // The login form's Email field is still there until the route changes: wait for the new page,
  // or the fill can land in the old field and the sign-up form is sent without an email.
  await expect(page.getByRole('heading', { name: 'Create a parent account' })).toBeVisible()
  await page.getByLabel('Email').fill(`new-parent-${Date.now()}@example.org`)
  await page.getByLabel(/Password/).fill('a-long-enough-pass')
  await page.getByRole('button', { name: 'Create account' }).click()
  await expect(page).toHaveURL(/\/children$/)
  await expect(page.getByText('No children yet')).toBeVisible()
})

const EVENTS = ['POST /api/v1/events', 'GET /api/v1/profiles/{profile_id}/activity', 'POST /api/v1/admin/flush']

test("a child's activity is logged and shows on the parent's chart", async ({ page }) => {
  test.skip(!served(...EVENTS), waitingFor(...EVENTS))
  await login(page, DEMO.parent)
  await page.getByRole('button', { name: /Maya/ }).click()
  // Opening a chapter logs a "view"; the app sends its events in batches every few seconds.
  const logged = page.waitForResponse((r) => r.url().endsWith('/api/v1/events') && r.status() === 202, { timeout: 20_000 })
  await page.locator('a.chapter').nth(2).click()
  await expect(page.getByRole('button', { name: 'Explain it!' })).toBeVisible()
  await logged

  // The analytics store sees buffered events after a flush (the scheduler does it every minute).
  const admin = await tokenFor(page, DEMO.admin)
  expect((await page.request.post('/api/v1/admin/flush', { headers: { Authorization: `Bearer ${admin}` } })).ok()).toBeTruthy()

  await page.getByRole('button', { name: 'Switch profile' }).click()
  await page.getByRole('link', { name: 'Manage profiles' }).click()
  const maya = page.locator('li', { has: page.getByRole('heading', { name: 'Maya' }) })
  await maya.getByRole('link', { name: 'Progress' }).click()
  const chart = page.getByRole('figure', { name: 'What the child did, per day' })
  await expect(chart).toBeVisible()
  await chart.getByText('Show the numbers').click()
  await expect(chart.locator('thead')).toContainText('view')
  await shot(page, 'parent-child-activity')
})
