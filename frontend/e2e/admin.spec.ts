import { DEMO, expect, login, served, shot, test, tokenFor, waitingFor } from './fixtures'

const QUEUES = 'GET /api/v1/admin/queues'
const ROUTES = ['GET /api/v1/admin/model-routes', 'PUT /api/v1/admin/model-routes/{task}']

test('an admin lands on the dashboards, and a parent cannot open them', async ({ page }) => {
  await login(page, DEMO.admin)
  await expect(page).toHaveURL(/\/admin$/)
  await expect(page.getByRole('heading', { name: 'Queues' })).toBeVisible()
  const nav = page.getByRole('navigation', { name: 'Main' })
  for (const name of ['Providers', 'AI cost', 'Model routes', 'Prompts', 'AI history', 'Review', 'Batches']) {
    await expect(nav.getByRole('link', { name })).toBeVisible()
  }
  if (!served(QUEUES)) await expect(page.getByTestId('not-served')).toContainText(QUEUES.split(' ')[1])
  await page.getByRole('button', { name: 'Sign out' }).click()

  await login(page, DEMO.parent)
  await page.goto('/admin/routes')
  await expect(page).toHaveURL(/\/profiles$/) // the role guard sends a parent home
})

test('the queue dashboard moves while jobs run', async ({ page }) => {
  test.skip(!served(QUEUES), waitingFor(QUEUES))
  await login(page, DEMO.admin)
  await expect(page.getByTestId('queues-table')).toBeVisible()
  // A parent's child asks for several explanations beside the dashboard.
  const parent = await tokenFor(page, DEMO.parent)
  const kids = await (await page.request.get('/api/v1/profiles', { headers: { Authorization: `Bearer ${parent}` } })).json()
  const kid = await (await page.request.post('/api/v1/auth/profile-token', { headers: { Authorization: `Bearer ${parent}` }, data: { profile_id: kids[0].id } })).json()
  const chapters = await (await page.request.get(`/api/v1/curriculum?grade=${kids[0].current_grade}`, { headers: { Authorization: `Bearer ${kid.access_token}` } })).json()
  for (let i = 0; i < 6; i++) {
    const r = await page.request.post('/api/v1/generations', {
      headers: { Authorization: `Bearer ${kid.access_token}` },
      data: { kind: 'explanation', chapter_id: chapters[i % chapters.length].id, analogy: `dashboard test ${i}`, force: true },
    })
    expect(r.status()).toBe(202)
  }
  // Each poll adds a point to the live history; several points means the page is moving.
  const depth = page.getByRole('figure', { name: 'Queue depth, live' })
  await depth.getByText('Show the numbers').click()
  const points = depth.locator('tbody tr')
  await expect.poll(() => points.count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(3)
  // The jobs went through: some queue shows work ready or in flight, or all of it drained.
  await expect(page.getByTestId('queues-table')).toContainText('default')
  await shot(page, 'admin-queues')
})

test('an admin reroutes a task to another chain', async ({ page }) => {
  test.skip(!served(...ROUTES), waitingFor(...ROUTES))
  await login(page, DEMO.admin)
  await page.getByRole('link', { name: 'Model routes' }).click()
  const card = page.getByTestId('route-explanation')
  await expect(card).toBeVisible()
  // Make the chain exactly one offline link, then save.
  while ((await card.getByRole('button', { name: /Remove link/ }).count()) > 0) {
    await card.getByRole('button', { name: /Remove link/ }).first().click()
  }
  await card.getByRole('button', { name: 'Add a link' }).click()
  await card.getByLabel('Provider').selectOption('offline')
  await card.getByLabel('Model').fill('template-v1')
  await card.getByRole('button', { name: 'Save chain' }).click()
  await expect(page.getByText('The explanation chain is saved')).toBeVisible()
  await expect(card).toContainText('set by an admin')
  await shot(page, 'admin-model-routes')

  const admin = await tokenFor(page, DEMO.admin)
  const routes = await (await page.request.get('/api/v1/admin/model-routes', { headers: { Authorization: `Bearer ${admin}` } })).json()
  const explanation = routes.find((r: { task: string }) => r.task === 'explanation')
  expect(explanation.chain.map((l: { provider: string; model: string }) => `${l.provider}/${l.model}`)).toEqual(['offline/template-v1'])
})

const AI_PAGES = [
  'GET /api/v1/admin/providers',
  'GET /api/v1/admin/prompt-templates/{task}',
  'PUT /api/v1/admin/prompt-templates/{task}',
  'GET /api/v1/admin/ai-history',
  'GET /api/v1/admin/analytics/{report}',
]

test('an admin reads provider health, AI history and cost, and versions a prompt', async ({ page }) => {
  test.skip(!served(...AI_PAGES), waitingFor(...AI_PAGES))
  // One explanation first, so the AI history and provider stats have something to show.
  const parent = await tokenFor(page, DEMO.parent)
  const kids = await (await page.request.get('/api/v1/profiles', { headers: { Authorization: `Bearer ${parent}` } })).json()
  const kid = await (await page.request.post('/api/v1/auth/profile-token', { headers: { Authorization: `Bearer ${parent}` }, data: { profile_id: kids[0].id } })).json()
  const chapters = await (await page.request.get(`/api/v1/curriculum?grade=${kids[0].current_grade}`, { headers: { Authorization: `Bearer ${kid.access_token}` } })).json()
  const accepted = await (await page.request.post('/api/v1/generations', {
    headers: { Authorization: `Bearer ${kid.access_token}` },
    data: { kind: 'explanation', chapter_id: chapters[0].id, analogy: 'a history check', force: true },
  })).json()
  await expect.poll(async () => (await (await page.request.get(accepted.status_url, { headers: { Authorization: `Bearer ${kid.access_token}` } })).json()).status, { timeout: 20_000 }).toBe('succeeded')

  await login(page, DEMO.admin)
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Providers' }).click()
  await expect(page.getByRole('heading', { name: 'Provider health' })).toBeVisible()
  await expect(page.locator('tbody tr').first()).toContainText('offline')

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'AI history' }).click()
  const first = page.locator('details').first()
  await expect(first).toContainText('explanation')
  await first.locator('summary').click()
  await expect(first.getByRole('heading', { name: 'Prompt' })).toBeVisible()
  await expect(first).toContainText('a history check')
  await shot(page, 'admin-ai-history')

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Prompts' }).click()
  await expect(page.getByLabel('Template', { exact: true })).not.toBeEmpty()
  const version = await page.getByText(/^Version \d+/).textContent()
  await page.getByLabel('Template', { exact: true }).fill('Explain {topic} to a {grade} grader using {analogy}. Keep it short.')
  await page.getByRole('button', { name: 'Save new version' }).click()
  await expect(page.getByRole('status').filter({ hasText: 'Saved as version' })).toBeVisible()
  expect(await page.getByText(/^Version \d+/).textContent()).not.toBe(version)

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'AI cost' }).click()
  const cost = page.getByRole('figure', { name: /AI cost per model per day/ })
  await expect(cost).toBeVisible()
  // What is still buffered reaches the charts after a flush.
  await page.getByRole('button', { name: 'Flush buffered data now' }).click()
  await expect(page.getByRole('status').filter({ hasText: /Flushed \d+ event/ })).toBeVisible()
  await expect(cost.locator('canvas')).toBeVisible()
  await cost.getByText('Show the numbers').click()
  await expect(cost.locator('tbody tr').first()).toBeVisible()
  await shot(page, 'admin-ai-cost')
})
