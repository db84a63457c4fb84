// Admin and operator calls, all with the account's token.
import { api } from '@/api/client'
import { unwrap } from '@/api/errors'
import type {
  AiHistoryRow, ChainLink, DeadList, ModelRoute, PromptTemplate, ProviderHealth, QueueHistory,
  QueuesOverview, Report, ReviewItem,
} from '@/api/types'

export const TASKS = ['explanation', 'questions', 'distractors', 'grading'] as const
export const PROVIDERS = ['gemini', 'openai', 'ollama', 'offline'] as const

export const getQueues = async (): Promise<QueuesOverview> => unwrap(await api.GET('/api/v1/admin/queues'))

export const getDeadLetters = async (name: string): Promise<DeadList> =>
  unwrap(await api.GET('/api/v1/admin/queues/{name}/dead', { params: { path: { name } } }))

export type HistoryWindow = '15m' | '1h' | '6h' | '24h' | '7d' | '30d'

export const getQueueHistory = async (window: HistoryWindow = '15m'): Promise<QueueHistory> =>
  unwrap(await api.GET('/api/v1/admin/queues/history', { params: { query: { window } } }))

export const requeueDead = async (name: string) =>
  unwrap(await api.POST('/api/v1/admin/queues/{name}/dead/requeue', { params: { path: { name } } }))

export const deleteDead = async (name: string) =>
  unwrap(await api.DELETE('/api/v1/admin/queues/{name}/dead', { params: { path: { name } } }))

export const getProviders = async (): Promise<ProviderHealth[]> =>
  unwrap(await api.GET('/api/v1/admin/providers'))

export const getReport = async (report: string, start?: string, end?: string): Promise<Report> =>
  unwrap(
    await api.GET('/api/v1/admin/analytics/{report}', {
      params: { path: { report }, query: { start, end } },
    }),
  ) as unknown as Report

export const getRoutes = async (): Promise<ModelRoute[]> => unwrap(await api.GET('/api/v1/admin/model-routes'))

export const resetRoute = async (task: string): Promise<ModelRoute> =>
  unwrap(await api.DELETE('/api/v1/admin/model-routes/{task}', { params: { path: { task } } }))

export const putRoute = async (task: string, chain: ChainLink[]): Promise<ModelRoute> =>
  unwrap(
    await api.PUT('/api/v1/admin/model-routes/{task}', { params: { path: { task } }, body: { chain } }),
  )

export const getTemplate = async (task: string): Promise<PromptTemplate> =>
  unwrap(await api.GET('/api/v1/admin/prompt-templates/{task}', { params: { path: { task } } }))

export const putTemplate = async (task: string, template: string, system: string): Promise<PromptTemplate> =>
  unwrap(
    await api.PUT('/api/v1/admin/prompt-templates/{task}', {
      params: { path: { task } },
      body: { template, system },
    }),
  )

export const getAiHistory = async (q: { since?: string; model?: string; limit?: number }): Promise<AiHistoryRow[]> =>
  unwrap(await api.GET('/api/v1/admin/ai-history', { params: { query: q } })) as unknown as AiHistoryRow[]

export const getReview = async (): Promise<ReviewItem[]> => unwrap(await api.GET('/api/v1/admin/review'))

export const decideReview = async (id: number, decision: 'approve' | 'reject') =>
  unwrap(
    decision === 'approve'
      ? await api.POST('/api/v1/admin/review/{content_block_id}/approve', { params: { path: { content_block_id: id } } })
      : await api.POST('/api/v1/admin/review/{content_block_id}/reject', { params: { path: { content_block_id: id } } }),
  )

export const flushNow = async () => unwrap(await api.POST('/api/v1/admin/flush'))
