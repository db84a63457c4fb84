// Follows one job to its end: live over SSE, falling back to polling GET /jobs/{id} when the
// stream cannot be opened or drops before a final status (proxies, old browsers, restarts).
import { computed, getCurrentScope, onScopeDispose, ref } from 'vue'
import { studentApi, tokens, type ApiClient } from '@/api/client'
import { messageOf, unwrap } from '@/api/errors'
import { openSse } from '@/api/sse'
import { FINAL_JOB_STATUSES, type Job } from '@/api/types'

export const isFinal = (job: Pick<Job, 'status'> | null) =>
  !!job && (FINAL_JOB_STATUSES as readonly string[]).includes(job.status)

export interface JobOptions {
  client?: ApiClient
  token?: () => string | null
  pollMs?: number
  /** Give up waiting after this long (the job goes on; the person can come back). */
  timeoutMs?: number
}

export function useJob(options: JobOptions = {}) {
  const client = options.client ?? studentApi
  const token = options.token ?? tokens.student
  const pollMs = options.pollMs ?? 1000
  const timeoutMs = options.timeoutMs ?? 10 * 60_000

  const job = ref<Job | null>(null)
  const error = ref<string | null>(null)
  const transport = ref<'sse' | 'poll' | null>(null)
  const following = ref(false)
  let abort: AbortController | null = null

  const progress = computed(() => job.value?.progress ?? 0)

  async function viaSse(eventsUrl: string, signal: AbortSignal): Promise<boolean> {
    transport.value = 'sse'
    for await (const msg of openSse(eventsUrl, token(), signal)) {
      if (msg.event !== 'status') continue
      job.value = JSON.parse(msg.data) as Job
      if (isFinal(job.value)) return true
    }
    return false
  }

  async function viaPolling(jobId: string, signal: AbortSignal, deadline: number) {
    transport.value = 'poll'
    let delay = pollMs
    while (!signal.aborted && Date.now() < deadline) {
      job.value = unwrap(
        await client.GET('/api/v1/jobs/{job_id}', { params: { path: { job_id: jobId } }, signal }),
      )
      if (isFinal(job.value)) return
      await new Promise((r) => setTimeout(r, delay))
      delay = Math.min(delay * 1.5, 3000)
    }
    if (!signal.aborted) error.value = 'Still working on it; check back in a little while.'
  }

  /** Follows `jobId` until it ends; resolves with the final job (or the last one seen). */
  async function follow(jobId: string, eventsUrl?: string): Promise<Job | null> {
    stop()
    const controller = new AbortController()
    abort = controller
    error.value = null
    following.value = true
    const deadline = Date.now() + timeoutMs
    try {
      let done = false
      if (eventsUrl) {
        try {
          done = await viaSse(eventsUrl, controller.signal)
        } catch (err) {
          if (controller.signal.aborted) return job.value
          // The stream failed; polling still gets the answer, so this is not an error yet.
        }
      }
      if (!done && !controller.signal.aborted) await viaPolling(jobId, controller.signal, deadline)
    } catch (err) {
      if (!controller.signal.aborted) error.value = messageOf(err)
    } finally {
      if (abort === controller) {
        following.value = false
        abort = null
      }
    }
    return job.value
  }

  function stop() {
    abort?.abort()
    abort = null
    following.value = false
  }

  if (getCurrentScope()) onScopeDispose(stop)

  return { job, error, transport, following, progress, follow, stop }
}
