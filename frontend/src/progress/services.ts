import type { ApiClient } from '@/api/client'
import { unwrap } from '@/api/errors'
import type { ChapterProgress } from '@/api/types'

/** Per-chapter progress; a parent reads any of its children, a student only itself. */
export async function getProgress(client: ApiClient, profileId: number): Promise<ChapterProgress[]> {
  return unwrap(
    await client.GET('/api/v1/profiles/{profile_id}/progress', {
      params: { path: { profile_id: profileId } },
    }),
  )
}

/** 0..1: how much of a chapter is mastered, from its answers so far. */
export function mastery(p: Pick<ChapterProgress, 'attempted' | 'correct' | 'average_score' | 'status'>): number {
  if (p.status === 'completed' || p.status === 'mastered') return 1
  if (p.average_score !== null && p.average_score !== undefined) return Math.min(1, p.average_score / 10)
  return p.attempted ? p.correct / p.attempted : 0
}
