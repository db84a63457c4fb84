// Turns a DuckDB report ({columns, rows}) into chart series without knowing its exact shape:
// an x column (a day), an optional grouping column (a model, an event type), one measure.
import type { Report } from '@/api/types'
import type { Series } from '@/ui/chart'

export interface Pivot {
  labels: string[]
  series: Series[]
}

const isNum = (v: unknown) => typeof v === 'number' || (typeof v === 'string' && v !== '' && !Number.isNaN(Number(v)))

export function pivot(report: Report, prefer: string[] = []): Pivot {
  const cols = report.columns
  const rows = report.rows as unknown[][]
  if (!rows.length) return { labels: [], series: [] }
  const sample = rows[0]
  const xi = Math.max(0, cols.findIndex((c) => /day|date|hour|week/i.test(c)))
  const numeric = cols.map((_, i) => i !== xi && rows.every((r) => r[i] === null || isNum(r[i])))
  let vi = cols.findIndex((c, i) => numeric[i] && prefer.includes(c))
  if (vi < 0) vi = numeric.lastIndexOf(true)
  if (vi < 0) return { labels: [], series: [] }
  const gi = cols.findIndex((_, i) => i !== xi && i !== vi && !numeric[i] && typeof sample[i] === 'string')

  const labels = [...new Set(rows.map((r) => String(r[xi]).slice(0, 10)))].sort()
  const groups = gi < 0 ? [cols[vi]] : [...new Set(rows.map((r) => String(r[gi])))].sort()
  const table = new Map(groups.map((g) => [g, new Map<string, number>()]))
  for (const r of rows) {
    const g = gi < 0 ? cols[vi] : String(r[gi])
    const x = String(r[xi]).slice(0, 10)
    const cell = table.get(g)!
    cell.set(x, (cell.get(x) ?? 0) + Number(r[vi] ?? 0))
  }
  return {
    labels,
    series: groups.map((g) => ({
      label: g,
      data: labels.map((x) => {
        const v = table.get(g)!.get(x)
        return v === undefined ? null : Math.round(v * 10000) / 10000
      }),
    })),
  }
}

/** For reports with no time axis (events-by-type): first column as labels, last numeric as values. */
export function categories(report: Report): Pivot {
  const rows = report.rows as unknown[][]
  const vi = report.columns.length - 1
  return {
    labels: rows.map((r) => String(r[0])),
    series: [{ label: report.columns[vi] ?? 'value', data: rows.map((r) => Number(r[vi] ?? 0)) }],
  }
}
