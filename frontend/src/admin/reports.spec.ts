import { describe, expect, it } from 'vitest'
import { categories, fallbacks, pivot } from '@/admin/reports'

describe('report pivots', () => {
  it('turns per-model-per-day cost rows into one series per model', () => {
    const p = pivot(
      {
        columns: ['day', 'provider', 'model_name', 'calls', 'input_tokens', 'output_tokens', 'cost_usd'],
        rows: [
          ['2026-11-02', 'openai', 'gpt-4o-mini', 3, 300, 90, 0.0123],
          ['2026-11-01', 'gemini', 'flash', 5, 500, 100, 0.002],
          ['2026-11-02', 'gemini', 'flash', 1, 100, 20, 0.001],
        ],
      },
      ['cost_usd'],
    )
    expect(p.labels).toEqual(['2026-11-01', '2026-11-02'])
    expect(p.series).toEqual([
      { label: 'gemini / flash', data: [0.002, 0.001] },
      { label: 'openai / gpt-4o-mini', data: [null, 0.0123] },
    ])
  })

  it('counts only the task runs a fallback answered, per first → final model', () => {
    const p = fallbacks({
      columns: ['day', 'task', 'first_model', 'answered_by', 'runs', 'attempts'],
      rows: [
        ['2026-11-01', 'explanation', 'gemini/flash', 'gemini/flash', 9, 9],
        ['2026-11-01', 'explanation', 'gemini/flash', 'openai/mini', 2, 4],
        ['2026-11-02', 'grading', 'gemini/flash', 'openai/mini', 1, 2],
        ['2026-11-02', 'explanation', 'gemini/flash', '(failed)', 1, 3],
      ],
    })
    expect(p).toEqual({
      labels: ['2026-11-01', '2026-11-02'],
      series: [
        { label: 'gemini/flash → (failed)', data: [null, 1] },
        { label: 'gemini/flash → openai/mini', data: [2, 1] },
      ],
    })
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
