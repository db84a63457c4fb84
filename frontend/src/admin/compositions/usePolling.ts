// Re-runs `load` every `ms` while the page is visible: dashboards move on their own, and a
// hidden tab costs the server nothing.
import { onMounted, onUnmounted, ref } from 'vue'

export function usePolling(load: () => Promise<void>, ms: number) {
  const paused = ref(false)
  let timer: ReturnType<typeof setTimeout> | null = null
  let alive = true

  async function tick() {
    if (!alive) return
    if (!paused.value && document.visibilityState !== 'hidden') await load()
    if (alive) timer = setTimeout(tick, ms)
  }

  onMounted(tick)
  onUnmounted(() => {
    alive = false
    if (timer) clearTimeout(timer)
  })
  return { paused }
}
