import { studentApi } from '@/api/client'
import { unwrap } from '@/api/errors'
import type { ChapterDetail, ChapterSummary } from '@/api/types'

export async function listCurriculum(grade: number, subject?: string): Promise<ChapterSummary[]> {
  return unwrap(
    await studentApi.GET('/api/v1/curriculum', { params: { query: { grade, subject } } }),
  )
}

export async function getChapter(id: number): Promise<ChapterDetail> {
  return unwrap(
    await studentApi.GET('/api/v1/chapters/{chapter_id}', { params: { path: { chapter_id: id } } }),
  )
}

/** Chapters grouped by subject, each group in curriculum order. */
export function bySubject(chapters: ChapterSummary[]): [string, ChapterSummary[]][] {
  const groups = new Map<string, ChapterSummary[]>()
  for (const c of chapters) groups.set(c.subject, [...(groups.get(c.subject) ?? []), c])
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([s, cs]) => [s, cs.sort((x, y) => x.order_index - y.order_index)])
}
