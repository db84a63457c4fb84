import { mergeConfig, defineConfig } from 'vitest/config'
import viteConfig from './vite.config.ts'

export default mergeConfig(
  viteConfig,
  defineConfig({
    test: {
      environment: 'happy-dom',
      // Relative API paths resolve against this origin, as they do against the real page.
      environmentOptions: { happyDOM: { url: 'http://127.0.0.1:5173/' } },
      include: ['src/**/*.spec.ts'],
      restoreMocks: true,
    },
  }),
)
