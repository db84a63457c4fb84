import { fileURLToPath, URL } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'

// The API lives on 127.0.0.1:8000 in `studyforge dev`; the dev server forwards /api there so
// the browser talks to one origin (no CORS) exactly as it does when the API serves dist/.
const apiTarget = process.env.STUDYFORGE_API_URL ?? 'http://127.0.0.1:8000'

export default defineConfig({
  plugins: [vue()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
      '/healthz': apiTarget,
      '/readyz': apiTarget,
    },
  },
  // Chart.js, the one big dependency, is imported lazily by ui/ChartView.vue, so it lands in
  // its own chunk and student pages load without it.
  build: { outDir: 'dist' },
})
