// Follows a batch live: its SSE stream sends the batch's counters at every change; polling
// GET /batches/{id} takes over if the stream cannot be read.
import { getCurrentScope, onScopeDispose, ref } from 'vue'
import { tokens } from '@/api/client'
import { messageOf } from '@/api/errors'
import { openSse } from '@/api/sse'
import type { Batch } from '@/api/types'
import { getBatch, isBatchFinal } from '@/batches/services'

export function useBatchProgress(pollMs = 1500) {
  const batch = ref<Batch | null>(null)
  const error = ref<string | null>(null)
  let abort: AbortController | null = null

  async function follow(id: number) {
    stop()
    const controller = new AbortController()
    abort = controller
    error.value = null
    try {
      batch.value = await getBatch(id)
      if (isBatchFinal(batch.value)) return batch.value
      try {
        for await (const msg of openSse(`/api/v1/batches/${id}/events`, tokens.account(), controller.signal)) {
          const data = JSON.parse(msg.data) as Partial<Batch>
          if (typeof data !== 'object' || data === null || !('status' in data)) continue
          batch.value = { ...batch.value!, ...data }
          if (isBatchFinal(batch.value)) return batch.value
        }
      } catch {
        if (controller.signal.aborted) return batch.value
      }
      while (!controller.signal.aborted) {
        batch.value = await getBatch(id)
        if (isBatchFinal(batch.value)) break
        await new Promise((r) => setTimeout(r, pollMs))
      }
    } catch (err) {
      if (!controller.signal.aborted) error.value = messageOf(err)
    }
    return batch.value
  }

  function stop() {
    abort?.abort()
    abort = null
  }
  if (getCurrentScope()) onScopeDispose(stop)
  return { batch, error, follow, stop }
}
