import { describe, expect, it } from 'vitest'
import { categories, pivot } from '@/admin/reports'

describe('report pivots', () => {
  it('turns per-model-per-day cost rows into one series per model', () => {
    const p = pivot(
      {
        columns: ['day', 'model', 'calls', 'cost'],
        rows: [
          ['2026-11-02', 'openai/gpt-4o-mini', 3, 0.0123],
          ['2026-11-01', 'gemini/flash', 5, 0.002],
          ['2026-11-02', 'gemini/flash', 1, 0.001],
        ],
      },
      ['cost'],
    )
    expect(p.labels).toEqual(['2026-11-01', '2026-11-02'])
    expect(p.series).toEqual([
      { label: 'gemini/flash', data: [0.002, 0.001] },
      { label: 'openai/gpt-4o-mini', data: [null, 0.0123] },
    ])
  })

  it('charts a single measure over days without a grouping column', () => {
    const p = pivot({ columns: ['day', 'students'], rows: [['2026-11-01T00:00:00', 4]] })
    expect(p).toEqual({ labels: ['2026-11-01'], series: [{ label: 'students', data: [4] }] })
  })

  it('reads category reports (events-by-type) as labels and values', () => {
    expect(categories({ columns: ['event_type', 'events'], rows: [['view', 9], ['answer', 2]] })).toEqual({
      labels: ['view', 'answer'],
      series: [{ label: 'events', data: [9, 2] }],
    })
  })

  it('returns nothing to draw for an empty report', () => {
    expect(pivot({ columns: ['day', 'cost'], rows: [] })).toEqual({ labels: [], series: [] })
  })
})
