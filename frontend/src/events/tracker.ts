// Interaction logging (POST /events): batched in memory, sent every few seconds and when the
// page is hidden, with the student's token. Losing a click is acceptable; slowing a child is not,
// so nothing here ever throws into the page.
import { studentApi, tokens } from '@/api/client'
import { isServed } from '@/api/served'
import type { InteractionEvent } from '@/api/types'

const ENDPOINT = '/api/v1/events' as const
const MAX_BATCH = 500
let queue: InteractionEvent[] = []
let timer: ReturnType<typeof setTimeout> | null = null

export function track(
  eventType: 'click' | 'answer' | 'view' | 'hint' | 'submit',
  contentId?: number,
  metadata?: Record<string, unknown>,
) {
  if (!tokens.student() || !isServed(`POST ${ENDPOINT}`)) return
  queue.push({
    event_id: crypto.randomUUID(),
    timestamp: new Date().toISOString(),
    event_type: eventType,
    ...(contentId !== undefined ? { content_id: contentId } : {}),
    ...(metadata ? { metadata } : {}),
  })
  if (queue.length >= MAX_BATCH) void flush()
  else timer ??= setTimeout(() => void flush(), 5000)
}

export async function flush(keepalive = false) {
  if (timer) clearTimeout(timer)
  timer = null
  if (!queue.length || !tokens.student()) return
  const events = queue.splice(0, MAX_BATCH)
  try {
    // event_id makes a resend harmless, so a failed batch goes back in the queue once.
    const { response } = await studentApi.POST(ENDPOINT, { body: { events }, keepalive })
    if (response.status >= 500) queue = [...events, ...queue].slice(0, MAX_BATCH)
  } catch {
    queue = [...events, ...queue].slice(0, MAX_BATCH)
  }
}

if (typeof document !== 'undefined') {
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') void flush(true)
  })
}
