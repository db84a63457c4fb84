import { DEMO, expect, login, served, shot, test, tokenFor, waitingFor } from './fixtures'

test('a parent picks a child, asks for an explanation and watches it arrive', async ({ page }) => {
  await login(page, DEMO.parent)
  await expect(page).toHaveURL(/\/profiles$/)
  await expect(page.getByRole('heading', { name: "Who's learning?" })).toBeVisible()
  await expect(page.getByRole('button', { name: /Maya/ })).toBeVisible()
  await shot(page, 'student-profile-picker')

  // Keyboard only: Tab to Maya's tile and press Enter, as a child without a mouse would.
  await page.getByRole('button', { name: /Maya/ }).focus()
  await page.keyboard.press('Enter')
  await expect(page).toHaveURL(/\/learn$/)
  await expect(page.getByText('Learning as')).toContainText('Maya')
  await expect(page.getByRole('heading', { level: 2 }).first()).toBeVisible()
  await shot(page, 'student-curriculum')

  const chapter = page.locator('a.chapter').first()
  const chapterName = (await chapter.locator('.title').textContent())!.trim()
  await chapter.click()
  await expect(page.getByRole('heading', { level: 1, name: chapterName })).toBeVisible()

  await page.getByLabel(/Something you like/).fill('pizza slices')
  await page.getByRole('button', { name: 'Explain it!' }).click()
  // The job is followed live: it shows as waiting or working before the explanation appears.
  const progress = page.getByTestId('job-progress')
  // The offline generator is slowed to 1.5 s in the e2e server, so "running" is seen live.
  await expect(progress).toHaveAttribute('data-status', 'running')
  await expect(progress).toContainText('Working on it')
  await shot(page, 'student-explanation-progress')
  await expect(progress).toHaveAttribute('data-status', 'succeeded', { timeout: 30_000 })

  const fresh = page.locator('article.fresh')
  await expect(fresh).toBeVisible()
  await expect(fresh).toContainText('Explained with pizza slices')
  await expect(fresh).toContainText('offline generator')
  await shot(page, 'student-explanation')
})

test('a phone-sized screen shows the chapter without sideways scrolling', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 })
  await login(page, DEMO.parent)
  await page.getByRole('button', { name: /Leo/ }).click()
  await expect(page).toHaveURL(/\/learn$/)
  await page.locator('a.chapter').first().click()
  await expect(page.getByRole('button', { name: 'Explain it!' })).toBeVisible()
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  expect(overflow).toBeLessThanOrEqual(1)
  await shot(page, 'student-chapter-phone')
})

const ANSWERS = 'POST /api/v1/questions/{question_id}/answers'

test('a child makes practice questions and gets instant feedback on an MCQ', async ({ page }) => {
  test.skip(!served(ANSWERS), waitingFor(ANSWERS))
  await login(page, DEMO.parent)
  await page.getByRole('button', { name: /Leo/ }).click()
  await page.locator('a.chapter').nth(1).click()
  const make = page.getByRole('button', { name: 'Make practice questions' })
  // The chapter loads first: wait for either the button or questions made by an earlier run.
  await expect(make.or(page.locator('form[data-testid^=question-]').first())).toBeVisible()
  if (await make.isVisible()) {
    await make.click()
    await expect(page.locator('form[data-testid^=question-]').first()).toBeVisible({ timeout: 30_000 })
  }
  const mcq = page.locator('form[data-testid^=question-]', { has: page.getByRole('radio') }).first()
  await mcq.getByRole('radio').first().check()
  await mcq.getByRole('button', { name: 'Check answer' }).click()
  await expect(mcq.getByTestId('mcq-feedback')).toContainText(/Correct!|Not quite\./)
  await shot(page, 'student-mcq-feedback')
})

test("a child over the day's limit is told why, instead of waiting forever", async ({ page, expectedHttpErrors }) => {
  expectedHttpErrors.push(/\/api\/v1\/generations$/)
  const parent = await tokenFor(page, DEMO.parent)
  const auth = { Authorization: `Bearer ${parent}` }
  const kids = (await (await page.request.get('/api/v1/profiles', { headers: auth })).json()) as { id: number; display_name: string }[]
  const leo = kids.find((k) => k.display_name === 'Leo')!
  const patch = (limit: number | null) =>
    page.request.patch(`/api/v1/profiles/${leo.id}`, { headers: auth, data: { daily_generation_limit: limit } })
  expect((await patch(0)).ok()).toBeTruthy()
  try {
    await login(page, DEMO.parent)
    await page.getByRole('button', { name: /Leo/ }).click()
    await page.locator('a.chapter').first().click()
    await page.getByLabel(/Something you like/).fill('trains')
    await page.getByRole('button', { name: 'Explain it!' }).click()
    await expect(page.getByRole('alert')).toContainText(/limit|today|per day/i)
    await expect(page.getByRole('button', { name: 'Explain it!' })).toBeEnabled()
    await shot(page, 'student-daily-limit')
  } finally {
    await patch(null)
  }
})
