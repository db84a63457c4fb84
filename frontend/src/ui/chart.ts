export interface Series {
  label: string
  data: (number | null)[]
}
