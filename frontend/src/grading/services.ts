import { studentApi } from '@/api/client'
import { unwrap } from '@/api/errors'
import type { AnswerResult, Submission } from '@/api/types'

/** MCQ answers are graded in the request (200); short answers are queued (202 + job id). */
export async function submitAnswer(questionId: number, answer: string | number): Promise<AnswerResult> {
  return unwrap(
    await studentApi.POST('/api/v1/questions/{question_id}/answers', {
      params: { path: { question_id: questionId } },
      body: { answer },
    }),
  )
}

export async function getSubmission(id: number): Promise<Submission> {
  return unwrap(
    await studentApi.GET('/api/v1/submissions/{submission_id}', {
      params: { path: { submission_id: id } },
    }),
  )
}

/** Which option the server says was right, as an index into `options`. */
export function correctIndex(correct: unknown, options: string[]): number | null {
  if (typeof correct === 'number' && Number.isInteger(correct)) return correct
  if (typeof correct === 'string') {
    const i = options.indexOf(correct)
    if (i >= 0) return i
    if (/^\d+$/.test(correct)) return Number(correct)
  }
  if (correct && typeof correct === 'object') {
    const o = correct as { index?: unknown; text?: unknown; answer?: unknown }
    return correctIndex(o.index ?? o.text ?? o.answer, options)
  }
  return null
}
