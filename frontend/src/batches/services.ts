import { api } from '@/api/client'
import { unwrap } from '@/api/errors'
import { isServed } from '@/api/served'
import type { Batch, BatchPlan, BatchRequest } from '@/api/types'

export const KINDS = ['explanation', 'questions'] as const

export const planBatch = async (req: BatchRequest): Promise<BatchPlan> =>
  unwrap(await api.POST('/api/v1/batches', { body: { ...req, dry_run: true } }))

export const startBatch = async (req: BatchRequest): Promise<BatchPlan> =>
  unwrap(await api.POST('/api/v1/batches', { body: { ...req, dry_run: false } }))

export const getBatch = async (id: number): Promise<Batch> =>
  unwrap(await api.GET('/api/v1/batches/{batch_id}', { params: { path: { batch_id: id } } }))

export const cancelBatch = async (id: number) =>
  unwrap(await api.POST('/api/v1/batches/{batch_id}/cancel', { params: { path: { batch_id: id } } }))

export const retryFailed = async (id: number) =>
  unwrap(await api.POST('/api/v1/batches/{batch_id}/retry-failed', { params: { path: { batch_id: id } } }))

// API.md has no "list batches" endpoint. When the server offers one we use it; otherwise the
// page lists the batches started from this browser, remembered by id.
const KEY = 'sf.batchIds'
export const rememberBatch = (id: number) => {
  const ids = [id, ...recentIds().filter((x) => x !== id)].slice(0, 30)
  localStorage.setItem(KEY, JSON.stringify(ids))
}
export const recentIds = (): number[] => {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? '[]')
    return Array.isArray(v) ? v.filter((x) => Number.isInteger(x)) : []
  } catch {
    return []
  }
}

export async function pastBatches(): Promise<Batch[]> {
  if (isServed('GET /api/v1/batches')) return unwrap(await api.GET('/api/v1/batches'))
  const found = await Promise.allSettled(recentIds().map(getBatch))
  return found.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
}

export const isBatchFinal = (b: Pick<Batch, 'status'>) => b.status !== 'running'

/** 0..1: the share of the batch's jobs that have ended (a finished batch is full). */
export const batchDone = (b: Pick<Batch, 'status' | 'total' | 'succeeded' | 'failed'>) =>
  isBatchFinal(b) || !b.total ? 1 : Math.min(1, (b.succeeded + b.failed) / b.total)
