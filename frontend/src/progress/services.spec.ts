import { describe, expect, it } from 'vitest'
import { activityByDay, mastery } from '@/progress/services'

describe('progress helpers', () => {
  it('counts events per day and type, for the activity chart', () => {
    expect(
      activityByDay([
        { timestamp: '2026-11-02T09:00:00+00:00', event_type: 'view' },
        { timestamp: '2026-11-01T10:00:00+00:00', event_type: 'view' },
        { timestamp: '2026-11-02T10:00:00+00:00', event_type: 'answer' },
        { timestamp: '2026-11-02T11:00:00+00:00', event_type: 'view' },
      ]),
    ).toEqual({
      labels: ['2026-11-01', '2026-11-02'],
      series: [
        { label: 'answer', data: [0, 1] },
        { label: 'view', data: [1, 2] },
      ],
    })
  })

  it('reads mastery from the average score, else the share right', () => {
    expect(mastery({ attempted: 4, correct: 1, average_score: 8, status: 'in_progress' })).toBe(0.8)
    expect(mastery({ attempted: 4, correct: 1, average_score: null, status: 'in_progress' })).toBe(0.25)
    expect(mastery({ attempted: 0, correct: 0, average_score: null, status: 'not_started' })).toBe(0)
    expect(mastery({ attempted: 5, correct: 5, average_score: 10, status: 'completed' })).toBe(1)
    expect(mastery({ attempted: 2, correct: 1, average_score: 5, status: 'in_progress', mastery: 0.42 })).toBe(0.42)
  })
})
