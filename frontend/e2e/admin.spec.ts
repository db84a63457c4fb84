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
  await page.getByText('Show the numbers').click()
  const points = page.locator('figure tbody tr')
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
  await shot(page, 'admin-model-routes')

  const admin = await tokenFor(page, DEMO.admin)
  const routes = await (await page.request.get('/api/v1/admin/model-routes', { headers: { Authorization: `Bearer ${admin}` } })).json()
  const explanation = routes.find((r: { task: string }) => r.task === 'explanation')
  expect(explanation.chain.map((l: { provider: string; model: string }) => `${l.provider}/${l.model}`)).toEqual(['offline/template-v1'])
})
