// End-to-end tests: the real API (`studyforge dev`, which also serves the built frontend/dist)
// on a fresh SQLite file, driven by Debian's Chromium (Playwright never downloads a browser here).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { defineConfig } from '@playwright/test'

const port = Number(process.env.E2E_PORT ?? 8765)
const baseURL = process.env.E2E_BASE_URL ?? `http://127.0.0.1:${port}`
// E2E_SERVER_CWD runs another checkout's backend (e.g. a trial merge of several branches).
const repo = process.env.E2E_SERVER_CWD ?? resolve(import.meta.dirname, '..')
// Fresh stores per run, so demo data and counts are what the tests expect.
const state = process.env.E2E_STATE_DIR ?? mkdtempSync(join(tmpdir(), 'studyforge-e2e-'))

export default defineConfig({
  testDir: './e2e',
  outputDir: './test-results',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL,
    viewport: { width: 1280, height: 860 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    },
  },
  webServer: process.env.E2E_BASE_URL
    ? undefined
    : {
        command: `uv run studyforge dev --port ${port}`,
        cwd: repo,
        url: `${baseURL}/healthz`,
        timeout: 120_000,
        reuseExistingServer: false,
        stdout: 'ignore',
        stderr: 'pipe',
        env: {
          STUDYFORGE_ENVIRONMENT: 'development',
          STUDYFORGE_DATABASE_URL: '',
          STUDYFORGE_REDIS_URL: '',
          STUDYFORGE_SQLITE_PATH: join(state, 'studyforge.sqlite3'),
          STUDYFORGE_DATA_DIR: join(state, 'data'),
          STUDYFORGE_FRONTEND_DIST: resolve(import.meta.dirname, 'dist'),
          // The offline generator answers instantly; a little latency lets the test (and the
          // screenshots) see the job move through queued → running → succeeded.
          STUDYFORGE_OFFLINE_LATENCY_MS: process.env.E2E_OFFLINE_LATENCY_MS ?? '1500',
        },
      },
})
