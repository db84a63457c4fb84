// Ask for generated content and follow its job: POST /generations answers 202 at once with a
// job id; the job then streams its status until the content is written (or it fails, and why).
import { ref } from 'vue'
import { studentApi } from '@/api/client'
import { messageOf, unwrap } from '@/api/errors'
import type { GenerationRequest, Job } from '@/api/types'
import { useJob } from '@/jobs/compositions/useJob'

export function useGeneration() {
  const tracker = useJob()
  const requestError = ref<string | null>(null)
  const sending = ref(false)

  async function start(body: GenerationRequest): Promise<Job | null> {
    requestError.value = null
    sending.value = true
    tracker.job.value = null
    try {
      const accepted = unwrap(await studentApi.POST('/api/v1/generations', { body }))
      sending.value = false
      return await tracker.follow(accepted.job_id, accepted.events_url)
    } catch (err) {
      requestError.value = messageOf(err)
      return null
    } finally {
      sending.value = false
    }
  }

  return { ...tracker, requestError, sending, start }
}
