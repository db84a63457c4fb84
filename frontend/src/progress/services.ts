import type { ApiClient } from '@/api/client'
import { unwrap } from '@/api/errors'
import type { ActivityEvent, ChapterProgress } from '@/api/types'

/** Per-chapter progress; a parent reads any of its children, a student only itself. */
export async function getProgress(client: ApiClient, profileId: number): Promise<ChapterProgress[]> {
  return unwrap(
    await client.GET('/api/v1/profiles/{profile_id}/progress', {
      params: { path: { profile_id: profileId } },
    }),
  )
}

/** A child's interaction timeline (views, answers, …), newest first. */
export async function getActivity(client: ApiClient, profileId: number, start?: string): Promise<ActivityEvent[]> {
  return unwrap(
    await client.GET('/api/v1/profiles/{profile_id}/activity', {
      params: { path: { profile_id: profileId }, query: { start, limit: 1000 } },
    }),
  ) as unknown as ActivityEvent[]
}

/** Events per day, one series per event type, over every day from the first to the last. */
export function activityByDay(all: Pick<ActivityEvent, 'timestamp' | 'event_type'>[]) {
  const events = all.filter((e) => typeof e.timestamp === 'string')
  const days = [...new Set(events.map((e) => e.timestamp.slice(0, 10)))].sort()
  const types = [...new Set(events.map((e) => e.event_type))].sort()
  return {
    labels: days,
    series: types.map((t) => ({
      label: t,
      data: days.map((d) => events.filter((e) => e.event_type === t && e.timestamp.startsWith(d)).length),
    })),
  }
}

/** 0..1: how much of a chapter is mastered: the server's knowledge-tracing estimate when it
 * sends one, else from the answers so far. */
export function mastery(
  p: Pick<ChapterProgress, 'attempted' | 'correct' | 'average_score' | 'status'> & { mastery?: number | null },
): number {
  if (p.status === 'completed') return 1
  if (typeof p.mastery === 'number') return p.mastery
  if (p.average_score !== null && p.average_score !== undefined) return Math.min(1, p.average_score / 10)
  return p.attempted ? p.correct / p.attempted : 0
}
