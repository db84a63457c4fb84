// Types read off the generated schema by path, so pages never depend on the backend's
// internal schema names (which FastAPI derives from Python class names).
import type { paths } from './schema'

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete'

type JsonOf<R> = R extends { content: { 'application/json': infer J } } ? J : never

/** The JSON body a path+method answers with on success (first of 200, 201, 202). */
export type ResponseOf<P extends keyof paths, M extends Method> = paths[P] extends Record<
  M,
  { responses: infer R }
>
  ? R extends { 200: infer A }
    ? JsonOf<A>
    : R extends { 201: infer B }
      ? JsonOf<B>
      : R extends { 202: infer C }
        ? JsonOf<C>
        : never
  : never

/** The JSON request body of a path+method. */
export type BodyOf<P extends keyof paths, M extends Method> = paths[P] extends Record<
  M,
  { requestBody?: infer B }
>
  ? JsonOf<NonNullable<B>>
  : never

type ItemOf<T> = T extends (infer I)[] ? I : never

export type Me = ResponseOf<'/api/v1/me', 'get'>
export type Token = ResponseOf<'/api/v1/auth/profile-token', 'post'>
export type Profile = ItemOf<ResponseOf<'/api/v1/profiles', 'get'>>
export type ProfileInput = BodyOf<'/api/v1/profiles', 'post'>
export type ProfilePatch = BodyOf<'/api/v1/profiles/{profile_id}', 'patch'>
export type ChapterProgress = ItemOf<ResponseOf<'/api/v1/profiles/{profile_id}/progress', 'get'>>
export type ChapterSummary = ItemOf<ResponseOf<'/api/v1/curriculum', 'get'>>
export type ChapterDetail = ResponseOf<'/api/v1/chapters/{chapter_id}', 'get'>
export type ContentBlock = ItemOf<ChapterDetail['content_blocks']>
export type Question = ItemOf<ChapterDetail['questions']>
export type GenerationRequest = BodyOf<'/api/v1/generations', 'post'>
export type GenerationAccepted = ResponseOf<'/api/v1/generations', 'post'>
export type Job = ResponseOf<'/api/v1/jobs/{job_id}', 'get'>
export type AnswerResult = ResponseOf<'/api/v1/questions/{question_id}/answers', 'post'>
export type Submission = ResponseOf<'/api/v1/submissions/{submission_id}', 'get'>
export type InteractionEvent = ItemOf<BodyOf<'/api/v1/events', 'post'>['events']>
export type Batch = ResponseOf<'/api/v1/batches/{batch_id}', 'get'>
export type BatchRequest = BodyOf<'/api/v1/batches', 'post'>
export type BatchPlan = ResponseOf<'/api/v1/batches', 'post'>
export type QueuesOverview = ResponseOf<'/api/v1/admin/queues', 'get'>
export type ModelRoute = ItemOf<ResponseOf<'/api/v1/admin/model-routes', 'get'>>
export type ChainLink = ItemOf<ModelRoute['chain']>
export type PromptTemplate = ResponseOf<'/api/v1/admin/prompt-templates/{task}', 'get'>
export type ProviderHealth = ItemOf<ResponseOf<'/api/v1/admin/providers', 'get'>>
export type ReviewItem = ItemOf<ResponseOf<'/api/v1/admin/review', 'get'>>
export type DeadList = ResponseOf<'/api/v1/admin/queues/{name}/dead', 'get'>
export type QueueHistory = ResponseOf<'/api/v1/admin/queues/history', 'get'>

// Three answers that some backend implementations describe only as "a JSON object" (FastAPI
// handlers returning dicts): their documented shapes (API.md), written out once here.

/** `GET /admin/analytics/{report}`: a DuckDB result. */
export interface Report {
  columns: string[]
  rows: unknown[][]
}

/** `GET /admin/ai-history`: one row per model attempt. */
export interface AiHistoryRow {
  request_id: string
  timestamp: string
  job_id?: string | null
  task: string
  provider: string
  model_name: string
  prompt: string
  raw_response: string | null
  input_tokens: number | null
  output_tokens: number | null
  cost: number | null
  latency_ms: number | null
  attempt?: number | null
  status: 'ok' | 'error'
  error?: string | null
}

/** `GET /profiles/{id}/activity`: a child's interaction timeline. */
export interface ActivityEvent {
  event_id: string
  timestamp: string
  event_type: string
  content_id: number | null
  metadata: Record<string, unknown> | null
}

export const FINAL_JOB_STATUSES = ['succeeded', 'failed', 'cancelled'] as const
