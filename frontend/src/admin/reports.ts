// Turns a DuckDB report ({columns, rows}) into chart series without hard-coding every shape:
// an x column (a day), grouping columns (provider and model, task…), and one measure.
import type { Report } from '@/api/types'
import type { Series } from '@/ui/chart'

export interface Pivot {
  labels: string[]
  series: Series[]
}

const EMPTY: Pivot = { labels: [], series: [] }
const isNum = (v: unknown): boolean =>
  typeof v === 'number' || (typeof v === 'string' && v !== '' && !Number.isNaN(Number(v)))
const day = (v: unknown) => String(v).slice(0, 10)

/** Sums `value(row)` per (group(row), day(row)) into one series per group over sorted days. */
function table(rows: unknown[][], x: number, group: (r: unknown[]) => string, value: (r: unknown[]) => number): Pivot {
  const labels = [...new Set(rows.map((r) => day(r[x])))].sort()
  const cells = new Map<string, Map<string, number>>()
  for (const r of rows) {
    const g = group(r)
    const row = cells.get(g) ?? new Map<string, number>()
    row.set(day(r[x]), (row.get(day(r[x])) ?? 0) + value(r))
    cells.set(g, row)
  }
  const groups = [...cells.keys()].sort()
  return {
    labels,
    series: groups.map((g) => ({
      label: g,
      data: labels.map((l) => {
        const v = cells.get(g)!.get(l)
        return v === undefined ? null : Math.round(v * 1e6) / 1e6
      }),
    })),
  }
}

export function pivot(report: Report, prefer: string[] = []): Pivot {
  const cols = report.columns
  const rows = report.rows
  if (!rows.length) return EMPTY
  const xi = Math.max(0, cols.findIndex((c) => /day|date|hour|week/i.test(c)))
  const numeric = cols.map((_, i) => i !== xi && rows.every((r) => r[i] === null || isNum(r[i])))
  let vi = cols.findIndex((c, i) => numeric[i] && prefer.includes(c))
  if (vi < 0) vi = numeric.lastIndexOf(true)
  if (vi < 0) return EMPTY
  const groupCols = cols.map((_, i) => i).filter((i) => i !== xi && !numeric[i])
  const group = (r: unknown[]) => (groupCols.length ? groupCols.map((i) => String(r[i])).join(' / ') : cols[vi])
  return table(rows, xi, group, (r) => Number(r[vi] ?? 0))
}

/** ai-fallbacks: per day, the task runs whose answer came from another model than the first tried. */
export function fallbacks(report: Report): Pivot {
  const c = (name: string) => report.columns.indexOf(name)
  const [x, first, answered, runs] = [c('day'), c('first_model'), c('answered_by'), c('runs')]
  if ([x, first, answered, runs].some((i) => i < 0)) return pivot(report, ['runs'])
  const moved = report.rows.filter((r) => r[first] !== r[answered])
  return table(moved, x, (r) => `${r[first]} → ${r[answered]}`, (r) => Number(r[runs] ?? 0))
}

/** For reports with no time axis (events-by-type): first column as labels, last as values. */
export function categories(report: Report): Pivot {
  const vi = report.columns.length - 1
  return {
    labels: report.rows.map((r) => String(r[0])),
    series: [{ label: report.columns[vi] ?? 'value', data: report.rows.map((r) => Number(r[vi] ?? 0)) }],
  }
}
