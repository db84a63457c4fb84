/** An HTTP failure turned into a sentence a person can act on. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly retryAfter: number | null = null,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

interface ValidationItem {
  loc?: (string | number)[]
  msg?: string
}

/** FastAPI answers `{detail: string}` or, for 422, `{detail: [{loc, msg}]}`. */
export function describeDetail(body: unknown, status: number): string {
  const detail = (body as { detail?: unknown } | null)?.detail
  if (typeof detail === 'string' && detail) return detail
  if (Array.isArray(detail) && detail.length) {
    return (detail as ValidationItem[])
      .map((d) => {
        const field = (d.loc ?? []).filter((p) => p !== 'body' && p !== 'query').join('.')
        return field ? `${field}: ${d.msg ?? 'invalid'}` : (d.msg ?? 'invalid')
      })
      .join('; ')
  }
  if (status === 401) return 'Please sign in again.'
  if (status === 403) return 'Your account may not do this.'
  if (status === 404) return 'Not found.'
  if (status === 429) return 'Too many requests; please wait a moment.'
  if (status >= 500) return `The server had a problem (HTTP ${status}). Please try again.`
  return `Request failed (HTTP ${status}).`
}

/** Unwraps an openapi-fetch result: the data, or an ApiError with the server's reason. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  const { data, error, response } = result
  if (response.ok) return data as T
  const retry = Number(response.headers.get('Retry-After'))
  throw new ApiError(
    describeDetail(error, response.status),
    response.status,
    Number.isFinite(retry) && retry > 0 ? retry : null,
  )
}

/** Any thrown value as a message for an error banner. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) {
    // A fetch that never reached the server (API down, offline) is a TypeError in browsers.
    if (err.name === 'TypeError' && /fetch|network/i.test(err.message)) {
      return 'Cannot reach the StudyForge server. Check that it is running, then retry.'
    }
    return err.message
  }
  return String(err)
}
