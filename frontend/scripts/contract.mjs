// The HTTP contract of docs/API.md written as OpenAPI, for the endpoints the backend does not
// serve yet. `npm run gen:api` merges it *under* the schema exported from the real API: a path
// the backend serves always wins, so this file only fills gaps and shrinks as the API grows.
// Shapes follow API.md, with the extra fields (and the few extra endpoints: queue history,
// route reset, a child's activity) that the ai, events and ops branches implement, so the same
// pages type-check before and after those branches are merged.

const str = { type: 'string' }
const int = { type: 'integer' }
const num = { type: 'number' }
const bool = { type: 'boolean' }
const nullable = (s) => ({ anyOf: [s, { type: 'null' }] })
const arr = (items) => ({ type: 'array', items })
const anyObj = { type: 'object', additionalProperties: true }
const obj = (properties, optional = []) => ({
  type: 'object',
  properties,
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
})
const ref = (name) => ({ $ref: `#/components/schemas/${name}` })
const json = (schema) => ({ content: { 'application/json': { schema } } })
const ok = (schema, status = 200) => ({
  [status]: { description: 'OK', ...json(schema) },
  401: { description: 'Not authenticated', ...json(ref('HTTPError')) },
  403: { description: 'Forbidden for this role', ...json(ref('HTTPError')) },
  422: { description: 'Invalid input', ...json(ref('HTTPError')) },
})
const op = (operationId, responses, extra = {}) => ({ operationId, responses, ...extra })
const body = (schema) => ({ requestBody: { required: true, ...json(schema) } })
const pathParam = (name, schema = int) => ({ name, in: 'path', required: true, schema })
const query = (name, schema = str) => ({ name, in: 'query', required: false, schema })

const schemas = {
  HTTPError: obj({ detail: {} }),
  Submission: obj(
    {
      id: int, question_id: int, profile_id: int, answer: {},
      status: { type: 'string', enum: ['pending', 'graded', 'failed'] },
      score: nullable(num), feedback: nullable(str), graded_by: nullable(str),
      graded_at: nullable(str), provisional: bool, flagged: bool,
    },
    ['graded_by', 'graded_at'],
  ),
  AnswerResult: obj(
    {
      submission_id: int, status: str, correct: nullable(bool), score: nullable(num),
      feedback: nullable(str), correct_answer: {}, job_id: nullable(str),
    },
    ['correct', 'score', 'feedback', 'correct_answer', 'job_id'],
  ),
  Batch: obj(
    {
      id: int,
      status: { type: 'string', enum: ['running', 'succeeded', 'partial', 'failed', 'cancelled'] },
      total: int, succeeded: int, failed: int, skipped: int, cost_usd: num,
      created_at: str, finished_at: nullable(str), grade: int,
    },
    ['finished_at', 'grade'],
  ),
  BatchPlan: obj({
    batch_id: nullable(int), total_jobs: int, skipped_existing: int, estimated_cost_usd: num,
  }),
  Queue: obj(
    {
      name: str, ready: int, delayed: int, in_flight: int, dead: int, stranded: int, busy: int,
      oldest_age_seconds: nullable(num),
    },
    ['stranded', 'busy', 'oldest_age_seconds'],
  ),
  Worker: obj(
    {
      id: str, hostname: nullable(str), pid: nullable(int), last_seen: nullable(str),
      alive: bool, queues: arr(str), threads: nullable(int),
    },
    ['alive', 'queues', 'threads'],
  ),
  DeadMessage: obj(
    {
      message_id: str, actor: str, queue: str, job_id: nullable(str), dead_at: str,
      attempts: int, error: nullable(obj({ type: nullable(str), message: str }, ['type'])),
    },
  ),
  DeadList: obj({ queue: str, total: int, offset: int, limit: int, messages: arr(ref('DeadMessage')) }),
  QueueHistory: obj({
    window: str, step_seconds: int, bucket_starts: arr(str),
    series: arr(obj({ actor: str, processed: arr(int), failed: arr(int), retried: arr(int), dead: arr(int) })),
  }),
  ChainLink: obj(
    { provider: { type: 'string', enum: ['gemini', 'openai', 'ollama', 'offline'] }, model: str, params: anyObj },
    ['params'],
  ),
  ModelRoute: obj(
    {
      task: { type: 'string', enum: ['explanation', 'questions', 'distractors', 'grading'] },
      chain: arr(ref('ChainLink')), source: { type: 'string', enum: ['custom', 'default'] },
      updated_at: nullable(str),
    },
    ['source', 'updated_at'],
  ),
  PromptTemplate: obj(
    { task: str, version: int, template: str, system: str, variables: arr(str), created_at: nullable(str) },
    ['system', 'variables', 'created_at'],
  ),
  ProviderHealth: obj(
    {
      provider: str, model: str, circuit: { type: 'string', enum: ['closed', 'open', 'half_open'] },
      calls: int, errors: int, error_rate: nullable(num),
      latency_p50_ms: nullable(num), latency_p95_ms: nullable(num), window_seconds: int,
    },
    ['errors', 'latency_p50_ms', 'latency_p95_ms', 'window_seconds'],
  ),
  Report: obj({ columns: arr(str), rows: arr(arr({})) }),
  ReviewItem: obj(
    {
      id: int, chapter_id: int, type: str, status: str, content_json: anyObj,
      ai_model_used: str, created_at: str, reason: nullable(str),
    },
    ['reason'],
  ),
  AiHistoryRow: obj(
    {
      request_id: str, timestamp: str, job_id: nullable(str), task: str, provider: str,
      model_name: str, prompt: str, raw_response: nullable(str), input_tokens: nullable(int),
      output_tokens: nullable(int), cost: nullable(num), latency_ms: nullable(num),
      attempt: nullable(int), status: { type: 'string', enum: ['ok', 'error'] }, error: nullable(str),
    },
    ['job_id', 'attempt', 'error'],
  ),
  ActivityEvent: obj(
    { event_id: str, timestamp: str, event_type: str, content_id: nullable(int), metadata: nullable(anyObj) },
  ),
  EventIn: obj(
    { event_id: str, timestamp: str, event_type: str, content_id: int, metadata: anyObj },
    ['event_id', 'timestamp', 'content_id', 'metadata'],
  ),
}

const v1 = '/api/v1'

const token = obj({ access_token: str, token_type: str, expires_in: int })
const profile = obj(
  { id: int, parent_id: int, display_name: str, current_grade: int, avatar_config: anyObj },
)
const profileIn = obj(
  { display_name: str, current_grade: int, avatar_config: anyObj },
  ['avatar_config'],
)
const chapterRow = obj({ id: int, grade: int, subject: str, chapter_name: str, order_index: int })

schemas.Job = obj(
  {
    id: str, kind: str,
    status: { type: 'string', enum: ['queued', 'running', 'succeeded', 'failed', 'cancelled'] },
    progress: num, created_at: str, started_at: nullable(str), finished_at: nullable(str),
    result: nullable(anyObj), error: nullable(obj({ code: str, message: str })),
  },
)
schemas.ContentBlock = obj(
  { id: int, type: str, content_json: anyObj, ai_model_used: str, created_at: str },
)
schemas.QuestionOut = obj(
  {
    id: int, content_block_id: int, type: { type: 'string', enum: ['mcq', 'short'] },
    question_text: str, options: nullable(arr(str)), difficulty: str,
  },
)

const paths = {
  [`${v1}/auth/register`]: {
    post: op('register', ok(obj({ id: int, email: str, role: str }), 201), {
      ...body(obj({ email: str, password: str })),
    }),
  },
  [`${v1}/auth/token`]: {
    post: op('login', ok(token), {
      requestBody: {
        required: true,
        content: {
          'application/x-www-form-urlencoded': { schema: obj({ username: str, password: str }) },
        },
      },
    }),
  },
  [`${v1}/auth/profile-token`]: {
    post: op('profileToken', ok(token), { ...body(obj({ profile_id: int })) }),
  },
  [`${v1}/me`]: {
    get: op('me', ok(obj(
      {
        id: int, email: str, role: str, profile_id: int, display_name: str, current_grade: int,
      },
      ['id', 'email', 'profile_id', 'display_name', 'current_grade'],
    ))),
  },
  [`${v1}/profiles`]: {
    get: op('listProfiles', ok(arr(profile))),
    post: op('createProfile', ok(profile, 201), { ...body(profileIn) }),
  },
  [`${v1}/profiles/{profile_id}`]: {
    get: op('getProfile', ok(profile), { parameters: [pathParam('profile_id')] }),
    patch: op('updateProfile', ok(profile), {
      parameters: [pathParam('profile_id')],
      ...body({ ...profileIn, required: [] }),
    }),
    delete: op('deleteProfile', { 204: { description: 'Deleted' } }, {
      parameters: [pathParam('profile_id')],
    }),
  },
  [`${v1}/profiles/{profile_id}/progress`]: {
    get: op('profileProgress', ok(arr(obj(
      {
        chapter_id: int, attempted: int, correct: int, average_score: nullable(num), status: str,
        completed_at: nullable(str),
      },
    ))), { parameters: [pathParam('profile_id')] }),
  },
  [`${v1}/profiles/{profile_id}/activity`]: {
    get: op('profileActivity', ok(arr(ref('ActivityEvent'))), {
      parameters: [pathParam('profile_id'), query('start'), query('end'), query('limit', int)],
    }),
  },
  [`${v1}/curriculum`]: {
    get: op('listCurriculum', ok(arr(chapterRow)), {
      parameters: [{ ...query('grade', int), required: true }, query('subject')],
    }),
  },
  [`${v1}/chapters/{chapter_id}`]: {
    get: op('getChapter', ok({
      ...chapterRow,
      properties: {
        ...chapterRow.properties,
        content_blocks: arr(ref('ContentBlock')),
        questions: arr(ref('QuestionOut')),
      },
      required: [...chapterRow.required, 'content_blocks', 'questions'],
    }), { parameters: [pathParam('chapter_id')] }),
  },
  [`${v1}/generations`]: {
    post: op('createGeneration', ok(obj(
      { job_id: str, status: str, status_url: str, events_url: str },
    ), 202), {
      ...body(obj(
        {
          kind: { type: 'string', enum: ['explanation', 'questions'] }, chapter_id: int,
          topic: str, analogy: str, grade: int, count: int,
          difficulty: { type: 'string', enum: ['easy', 'medium', 'hard'] }, force: bool,
        },
        ['topic', 'analogy', 'grade', 'count', 'difficulty', 'force'],
      )),
    }),
  },
  [`${v1}/jobs/{job_id}`]: {
    get: op('getJob', ok(ref('Job')), { parameters: [pathParam('job_id', str)] }),
  },
  [`${v1}/questions/{question_id}/answers`]: {
    post: op('answerQuestion', ok(ref('AnswerResult')), {
      parameters: [pathParam('question_id')],
      ...body(obj({ answer: {}, profile_id: int }, ['profile_id'])),
    }),
  },
  [`${v1}/submissions/{submission_id}`]: {
    get: op('getSubmission', ok(ref('Submission')), { parameters: [pathParam('submission_id')] }),
  },
  [`${v1}/events`]: {
    post: op('postEvents', ok(obj({ accepted: int }), 202), {
      ...body(obj({ events: arr(ref('EventIn')) })),
    }),
  },
  [`${v1}/batches`]: {
    // API.md names no list endpoint; the page falls back to batches remembered locally.
    get: op('listBatches', ok(arr(ref('Batch')))),
    post: op('startBatch', { ...ok(ref('BatchPlan'), 202), 200: { description: 'Dry run', ...json(ref('BatchPlan')) } }, {
      ...body(obj(
        {
          grade: int, subjects: arr(str), kinds: arr(str), force: bool,
          budget_usd: nullable(num), dry_run: bool,
        },
        ['subjects', 'force', 'budget_usd', 'dry_run'],
      )),
    }),
  },
  [`${v1}/batches/{batch_id}`]: {
    get: op('getBatch', ok(ref('Batch')), { parameters: [pathParam('batch_id')] }),
  },
  [`${v1}/batches/{batch_id}/cancel`]: {
    post: op('cancelBatch', ok(ref('Batch')), { parameters: [pathParam('batch_id')] }),
  },
  [`${v1}/batches/{batch_id}/retry-failed`]: {
    post: op('retryFailedBatch', ok(ref('Batch')), { parameters: [pathParam('batch_id')] }),
  },
  [`${v1}/admin/queues`]: {
    get: op('adminQueues', ok(obj({ queues: arr(ref('Queue')), workers: arr(ref('Worker')) }))),
  },
  [`${v1}/admin/queues/history`]: {
    get: op('queueHistory', ok(ref('QueueHistory')), {
      parameters: [query('window', { type: 'string', enum: ['15m', '1h', '6h', '24h', '7d', '30d'] })],
    }),
  },
  [`${v1}/admin/queues/{name}/dead`]: {
    get: op('deadLetters', ok(ref('DeadList')), { parameters: [pathParam('name', str)] }),
    delete: op('deleteDeadLetters', ok(obj({ deleted: int })), { parameters: [pathParam('name', str)] }),
  },
  [`${v1}/admin/queues/{name}/dead/requeue`]: {
    post: op('requeueDeadLetters', ok(obj({ requeued: int, remaining: int })), {
      parameters: [pathParam('name', str)],
    }),
  },
  [`${v1}/admin/model-routes`]: {
    get: op('listModelRoutes', ok(arr(ref('ModelRoute')))),
  },
  [`${v1}/admin/model-routes/{task}`]: {
    delete: op('resetModelRoute', ok(ref('ModelRoute')), { parameters: [pathParam('task', str)] }),
    put: op('putModelRoute', ok(ref('ModelRoute')), {
      parameters: [pathParam('task', str)],
      ...body(obj({ chain: arr(ref('ChainLink')) })),
    }),
  },
  [`${v1}/admin/prompt-templates/{task}`]: {
    get: op('getPromptTemplate', ok(ref('PromptTemplate')), { parameters: [pathParam('task', str)] }),
    put: op('putPromptTemplate', ok(ref('PromptTemplate')), {
      parameters: [pathParam('task', str)],
      ...body(obj({ template: str, system: str }, ['system'])),
    }),
  },
  [`${v1}/admin/providers`]: {
    get: op('adminProviders', ok(arr(ref('ProviderHealth')))),
  },
  [`${v1}/admin/analytics/{report}`]: {
    get: op('adminReport', ok(ref('Report')), {
      parameters: [pathParam('report', str), query('start'), query('end')],
    }),
  },
  [`${v1}/admin/review`]: {
    get: op('reviewList', ok(arr(ref('ReviewItem')))),
  },
  [`${v1}/admin/review/{content_block_id}/approve`]: {
    post: op('reviewApprove', ok(anyObj), { parameters: [pathParam('content_block_id')] }),
  },
  [`${v1}/admin/review/{content_block_id}/reject`]: {
    post: op('reviewReject', ok(anyObj), { parameters: [pathParam('content_block_id')] }),
  },
  [`${v1}/admin/ai-history`]: {
    get: op('aiHistory', ok(arr(ref('AiHistoryRow'))), {
      parameters: [query('since'), query('model'), query('limit', int)],
    }),
  },
  [`${v1}/admin/flush`]: {
    post: op('adminFlush', ok(obj({ events: int, ai_history: int, files: int }))),
  },
}

export const contract = {
  openapi: '3.1.0',
  info: { title: 'StudyForge contract (docs/API.md), endpoints pending on the backend', version: '1' },
  paths,
  components: { schemas },
}
