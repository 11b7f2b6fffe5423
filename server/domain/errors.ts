/**
 * Domain errors: thrown by rules and services, mapped to HTTP in one place
 * (server/plugins/errors.ts). Each carries a stable UPPER_SNAKE `code`; its
 * message comes from the catalog below in English or Chinese.
 */

import { messageZh } from './field-messages.ts'

type Params = Record<string, string | number>

/** Message catalog: code → [English, Chinese], with {placeholders}. */
export const MESSAGES: Record<string, [string, string]> = {
  VALIDATION_FAILED: ['The request is not valid: {detail}', '请求无效:{detail}'],
  UNAUTHORIZED: ['Sign in first: the token is missing, invalid, expired or revoked', '请先登录:令牌缺失、无效、已过期或已撤销'],
  FORBIDDEN: ['Your role may not use this endpoint', '您的角色无权使用此接口'],
  NOT_FOUND: ['Not found', '未找到'],
  ROUTE_NOT_FOUND: ['No route {method} {url}', '不存在的接口 {method} {url}'],
  INVALID_CREDENTIALS: ['Wrong email or password', '邮箱或密码错误'],
  ACCOUNT_DISABLED: ['Wrong email or password', '邮箱或密码错误'],
  RATE_LIMITED: ['Too many requests; retry in {retryAfter} seconds', '请求过于频繁,请在 {retryAfter} 秒后重试'],
  INVALID_USCC: ['The unified social credit code is not valid: {reason}', '统一社会信用代码无效:{reason}'],
  USCC_TAKEN: ['An account already exists for this credit code', '该统一社会信用代码已注册'],
  EMAIL_TAKEN: ['An account already exists for this email', '该邮箱已注册'],
  WEAK_PASSWORD: ['The password is not acceptable: {reason}', '密码不符合要求:{reason}'],
  UNKNOWN_REFERENCE: ['Unknown {field}: {value}', '未知的{field}:{value}'],
  INVALID_STATE: ['Not allowed in state {state}: {detail}', '当前状态({state})不允许此操作:{detail}'],
  VERSION_MISMATCH: ['The object has changed since version {expected}; reload and retry', '对象已被修改(您的版本为 {expected}),请刷新后重试'],
  PRECONDITION_REQUIRED: ['Send If-Match with the version you edit', '请在 If-Match 中提供您编辑的版本号'],
  IDEMPOTENCY_KEY_REUSED: ['This Idempotency-Key was used with a different request', '此 Idempotency-Key 已用于不同的请求'],
  IDEMPOTENCY_IN_PROGRESS: ['A request with this Idempotency-Key is still in progress', '使用此 Idempotency-Key 的请求仍在处理中'],
  CONFLICT: ['Conflict: {detail}', '冲突:{detail}'],
  CONFLICT_OF_INTEREST: ['Reviewer {reviewer} has a conflict of interest with this firm', '评审专家 {reviewer} 与该企业存在利益冲突'],
  CALL_CLOSED: ['The call is not open for submissions', '该申报批次不在受理期内'],
  // Calls, applications, documents (issue 3)
  APPLICATION_EXISTS: ['The firm already has a live application to this call; withdraw it to start again', '企业在该批次已有有效申报;如需重新申报请先撤回'],
  DECLARATION_REQUIRED: ['Declare annual figures for {year} or an earlier year before submitting', '提交前请先填报 {year} 年或更早年度的经营数据'],
  RUBRIC_REQUIRED: ['Program {program} has no rubric yet; an administrator must add one first', '计划 {program} 尚无评分标准,请管理员先添加'],
  RUBRIC_PROGRAM_MISMATCH: ['The rubric belongs to {rubricProgram}, not to {program}', '该评分标准属于 {rubricProgram},而非 {program}'],
  UNSUPPORTED_DOCUMENT_TYPE: ['Only PDF, PNG or JPEG files are accepted (checked from the content)', '仅接受 PDF、PNG 或 JPEG 文件(按文件内容识别)'],
  DOCUMENT_TOO_LARGE: ['A document may be at most {limitMiB} MiB', '单个文件不得超过 {limitMiB} MiB'],
  DOCUMENT_LIMIT: ['At most {limit} documents may be attached', '最多可附 {limit} 个文件'],
  DOCUMENT_FROZEN: ['This document supports a submitted application and can no longer be removed', '该文件已作为已提交申报的依据,不能删除'],
  // Grading, decisions, appeals (issue 4)
  APPEAL_WINDOW_CLOSED: ['The appeal window of {days} days after the decision has passed', '已超过决定后 {days} 天的申诉期限'],
  APPEAL_ALREADY_USED: ['An application may be appealed only once; the decision after an appeal is final', '每项申报只能申诉一次;申诉后的决定为最终决定'],
  ALREADY_IN_POOL: ['The firm is already a member of the pool under this program', '该企业已在此计划的培育库中'],
  // The pool's life (issue 14)
  STALE_PREVIEW: ['The pool, a declaration or the policy changed since this preview was made; preview again', '该预览生成后培育库、申报数据或政策已变化,请重新预览'],
  NOT_ELIGIBLE_FOR_DIRECT_ROUTE: ['The firm does not qualify for direct admission: {detail}', '企业不符合直通入库条件:{detail}'],
  APPLICANT_BARRED: ['The firm may not apply to any call before {until}: its pool membership was revoked', '企业培育资格已被撤销,{until} 前不得申报任何批次'],
  // The commission's year (issue 13)
  REVISION_CLOSED: ['The revision window of {days} days after the return has passed (it ended {dueAt})', '退回修改的期限({days} 天)已过(截止于 {dueAt})'],
  MISSING_DOCUMENTS: ['Attach the required documents first: {names}', '请先上传必需的材料:{names}'],
  QUOTA_EXCEEDED: ['The call admits at most {quota}; this would make {total}', '该批次最多入库 {quota} 家,此操作将达到 {total} 家'],
  NO_REVIEWER_AVAILABLE: ['No other reviewer without a conflict of interest is available for this application', '没有其他无利益冲突的评审专家可分配给该申报'],
  // Policy what-if (issue 18)
  STALE_SIMULATION: ['The policy has changed since this simulation was run; simulate again before adopting', '模拟之后政策已被修改,请重新模拟后再采用'],
  SIMULATION_PART_FORBIDDEN: ['Your role may simulate tier rules and targets only, not {part}', '您的角色仅可模拟层级规则和规划目标,不可模拟 {part}'],
  // Support funds (issue 15)
  NOT_A_MEMBER: ['The firm is not an active pool member of program {program}', '该企业不是计划 {program} 的在库培育企业'],
  BUDGET_EXCEEDED: ['The award of {requested} exceeds what is left of the fund: {available} of {budget}', '拟扶持金额 {requested} 超出专项资金剩余额度:预算 {budget},剩余 {available}'],
  PAYMENT_EXCEEDS_AWARD: ['The payment of {amount} exceeds what is unpaid of the award: {unpaid}', '拨付金额 {amount} 超出该项扶持的未拨付余额 {unpaid}'],
  UNSUPPORTED_MEDIA_TYPE: ['Unsupported content type', '不支持的内容类型'],
  PAYLOAD_TOO_LARGE: ['The request body is too large', '请求体过大'],
  SERVICE_UNAVAILABLE: ['The service is temporarily unavailable; retry shortly', '服务暂不可用,请稍后重试'],
  INTERNAL: ['Something went wrong on our side; quote request id {requestId}', '服务器内部错误,请提供请求编号 {requestId}'],
  BAD_REQUEST: ['Bad request: {detail}', '请求错误:{detail}'],
  // People: accounts, passwords, the firm's colleagues (issue 16)
  TOKEN_INVALID: ['This link is not valid: it was used already, has expired, or was replaced by a newer one', '该链接无效:已使用、已过期或已被新的链接取代'],
  WRONG_PASSWORD: ['The current password is wrong', '当前密码不正确'],
  FIRM_OWNER_REQUIRED: ["Only the firm's owner account may manage its accounts", '只有企业负责人账户可以管理本企业账户'],
  LAST_FIRM_OWNER: ['The firm must keep at least one enabled owner account', '企业至少要保留一个启用的负责人账户'],
  USCC_DISTRICT_MISMATCH: ['The credit code\'s division {division} does not belong to district {district}', '统一社会信用代码中的登记管理机关行政区划码 {division} 与所选区县 {district} 不一致'],
  // Districts (issue 15)
  DISTRICT_REVIEW_PENDING: ['The call asks the firm\'s district to pre-screen this application before reviewers are assigned',
    '该批次要求先经企业所在区县预审推荐,方可分配评审专家'],
  DISTRICT_REVIEW_NOT_REQUIRED: ['This call does not ask for a district pre-screen', '该批次不需要区县预审'],
  // Policy values (issue 16)
  POLICY_HAS_OWN_ENDPOINT: ['{key} is checked as a whole through {endpoint}', '{key} 须通过 {endpoint} 整体修改'],
  // Hardening (issue 11)
  MALFORMED_MULTIPART: ['The multipart/form-data body is malformed: {detail}', 'multipart/form-data 请求体格式错误:{detail}'],
  INVALID_ENCODING: ['The request body is not valid UTF-8 text: {detail}', '请求体不是有效的 UTF-8 文本:{detail}'],
  REGISTRATION_CONFLICT: [
    'An account already exists for this credit code: sign in, ask for a password reset, or, if the code is your firm\'s, ask the bureau to transfer it',
    '该统一社会信用代码已有账户:请直接登录或申请重置密码;如该代码属于贵企业,请联系主管部门办理账户移交'
  ],
  // Confirmed addresses (issues 11 and 16)
  EMAIL_ALREADY_CONFIRMED: [
    'This address already belongs to another confirmed account, which keeps it: sign in with that account, or register with another address',
    '该邮箱已属于另一个已确认的账户:请使用该账户登录,或改用其他邮箱注册'
  ]
}

export interface FieldError { field: string, message: string }

export class AppError extends Error {
  constructor (
    public readonly statusCode: number,
    public readonly code: string,
    public readonly params: Params = {},
    public readonly fields?: FieldError[],
    /** Extra machine-readable details returned beside the message. */
    public readonly details?: Record<string, unknown>
  ) {
    super(renderMessage(code, params, 'en'))
    this.name = 'AppError'
  }
}

/**
 * The message of `code` in `lang`. In Chinese, a value the service wrote in
 * English (a field message, a reason, a detail) is put in Chinese from the
 * table of server/domain/field-messages.ts; `{k}Zh` beside `{k}` gives it
 * ready-made (the detail of VALIDATION_FAILED, built from its fields).
 */
export function renderMessage (code: string, params: Params, lang: 'en' | 'zh'): string {
  const entry = MESSAGES[code]
  const template = entry == null ? code : entry[lang === 'zh' ? 1 : 0]
  return template.replace(/\{(\w+)\}/g, (_, k: string) => {
    const value = String(params[k] ?? '')
    return lang === 'zh' ? String(params[`${k}Zh`] ?? messageZh(value) ?? value) : value
  })
}

/** The field errors in `lang`: in Chinese, each server-written message from the table (the validator's own are localized already). */
export function localizedFields (fields: readonly FieldError[], lang: 'en' | 'zh'): FieldError[] {
  return lang === 'zh' ? fields.map(f => ({ field: f.field, message: messageZh(f.message) ?? f.message })) : fields.map(f => ({ field: f.field, message: f.message }))
}

/**
 * The error factory: every error the service raises, and the only place that
 * constructs an AppError. A new code goes in MESSAGES above and gets a
 * factory here.
 */
export const errors = {
  validation: (fields: FieldError[], separator = ': ') =>
    new AppError(400, 'VALIDATION_FAILED', {
      detail: fields.map(f => `${f.field}${separator}${f.message}`).join('; '),
      detailZh: localizedFields(fields, 'zh').map(f => `${f.field}${separator}${f.message}`).join('; ')
    }, fields),
  badRequest: (detail: string) => new AppError(400, 'BAD_REQUEST', { detail }),
  invalidEncoding: (detail: string) => new AppError(400, 'INVALID_ENCODING', { detail }),
  unsupportedMediaType: () => new AppError(415, 'UNSUPPORTED_MEDIA_TYPE'),
  payloadTooLarge: () => new AppError(413, 'PAYLOAD_TOO_LARGE'),
  rateLimited: (retryAfter: number | '') => new AppError(429, 'RATE_LIMITED', { retryAfter }),
  routeNotFound: (method: string, url: string) => new AppError(404, 'ROUTE_NOT_FOUND', { method, url }),
  internal: (requestId: string) => new AppError(500, 'INTERNAL', { requestId }),
  /** A framework error with only a status: the catalogue's code for that status. */
  fromStatus: (status: number, detail: string) => {
    const byStatus: Record<number, string> = { 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 406: 'BAD_REQUEST', 413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE' }
    return new AppError(status, byStatus[status] ?? 'BAD_REQUEST', { detail })
  },
  unauthorized: () => new AppError(401, 'UNAUTHORIZED'),
  invalidCredentials: () => new AppError(401, 'INVALID_CREDENTIALS'),
  forbidden: () => new AppError(403, 'FORBIDDEN'),
  notFound: () => new AppError(404, 'NOT_FOUND'),
  invalidUscc: (reason: string) => new AppError(400, 'INVALID_USCC', { reason }, [{ field: 'uscc', message: reason }]),
  weakPassword: (reason: string) => new AppError(400, 'WEAK_PASSWORD', { reason }, [{ field: 'password', message: reason }]),
  weakPasswordField: (field: string, reason: string) => new AppError(400, 'WEAK_PASSWORD', { reason }, [{ field, message: reason }]),
  unknownReference: (field: string, value: string) =>
    new AppError(400, 'UNKNOWN_REFERENCE', { field, value }, [{ field, message: `unknown value ${value}` }]),
  usccTaken: () => new AppError(409, 'USCC_TAKEN'),
  emailTaken: () => new AppError(409, 'EMAIL_TAKEN'),
  /** Registration with a taken credit code (a taken email is no conflict: see docs/people.md, "Confirmed addresses"). */
  registrationConflict: () => new AppError(409, 'REGISTRATION_CONFLICT'),
  /** Confirming an address another account holds confirmed: only the mailbox owner, who has the link, sees it. */
  emailAlreadyConfirmed: () => new AppError(409, 'EMAIL_ALREADY_CONFIRMED'),
  invalidState: (state: string, detail: string) => new AppError(409, 'INVALID_STATE', { state, detail }),
  conflict: (detail: string) => new AppError(409, 'CONFLICT', { detail }),
  conflictOfInterest: (reviewer: string) => new AppError(409, 'CONFLICT_OF_INTEREST', { reviewer }),
  callClosed: () => new AppError(409, 'CALL_CLOSED'),
  versionMismatch: (expected: number | string) => new AppError(412, 'VERSION_MISMATCH', { expected }),
  preconditionRequired: () => new AppError(428, 'PRECONDITION_REQUIRED'),
  idempotencyKeyReused: () => new AppError(422, 'IDEMPOTENCY_KEY_REUSED'),
  idempotencyInProgress: () => new AppError(409, 'IDEMPOTENCY_IN_PROGRESS'),
  staleSimulation: () => new AppError(409, 'STALE_SIMULATION'),
  // 422, not 403: analysts may use the endpoint; it is this part of the body their role may not send.
  simulationPartForbidden: (part: string) =>
    new AppError(422, 'SIMULATION_PART_FORBIDDEN', { part }, [{ field: `body.${part}`, message: 'analysts may simulate tier rules and targets only' }]),
  unavailable: () => new AppError(503, 'SERVICE_UNAVAILABLE'),
  tokenInvalid: () => new AppError(400, 'TOKEN_INVALID', {}, [{ field: 'body.token', message: 'is not valid' }]),
  wrongPassword: () => new AppError(400, 'WRONG_PASSWORD', {}, [{ field: 'body.currentPassword', message: 'is wrong' }]),
  firmOwnerRequired: () => new AppError(403, 'FIRM_OWNER_REQUIRED'),
  policyHasOwnEndpoint: (key: string, endpoint: string) => new AppError(409, 'POLICY_HAS_OWN_ENDPOINT', { key, endpoint }),
  lastFirmOwner: () => new AppError(409, 'LAST_FIRM_OWNER'),
  usccDistrictMismatch: (division: string, district: string) =>
    new AppError(400, 'USCC_DISTRICT_MISMATCH', { division, district }, [{ field: 'body.districtCode', message: `does not match the credit code's division ${division}` }]),
  // Calls, applications, documents
  rubricRequired: (program: string) => new AppError(409, 'RUBRIC_REQUIRED', { program }),
  rubricProgramMismatch: (rubricProgram: string, program: string) => new AppError(400, 'RUBRIC_PROGRAM_MISMATCH', { rubricProgram, program },
    [{ field: 'body.rubricId', message: `is a rubric of ${rubricProgram}, not of ${program}` }]),
  applicationExists: () => new AppError(409, 'APPLICATION_EXISTS'),
  declarationRequired: (year: number) => new AppError(409, 'DECLARATION_REQUIRED', { year }),
  unsupportedDocumentType: () => new AppError(415, 'UNSUPPORTED_DOCUMENT_TYPE'),
  documentTooLarge: (limitMiB: number) => new AppError(413, 'DOCUMENT_TOO_LARGE', { limitMiB }),
  documentLimit: (limit: number) => new AppError(409, 'DOCUMENT_LIMIT', { limit }),
  documentFrozen: () => new AppError(409, 'DOCUMENT_FROZEN'),
  malformedMultipart: () => new AppError(400, 'MALFORMED_MULTIPART', { detail: 'the body could not be read as multipart/form-data with one file' }),
  // Grading, decisions, appeals
  alreadyAssigned: (reviewer: string) => new AppError(409, 'CONFLICT', { detail: `reviewer ${reviewer} is already assigned to this application` }),
  appealWindowClosed: (days: number) => new AppError(409, 'APPEAL_WINDOW_CLOSED', { days }),
  appealUsed: () => new AppError(409, 'APPEAL_ALREADY_USED'),
  alreadyInPool: () => new AppError(409, 'ALREADY_IN_POOL'),
  missingDocuments: <D extends { nameZh: string, nameEn: string }>(missing: D[]) =>
    new AppError(409, 'MISSING_DOCUMENTS', { names: missing.map(d => `${d.nameZh} (${d.nameEn})`).join(', ') }, undefined, { missingDocuments: missing }),
  revisionClosed: (days: number, dueAt: Date | null) =>
    new AppError(409, 'REVISION_CLOSED', { days, dueAt: dueAt?.toISOString() ?? '-' }, undefined, { revisionDueAt: dueAt?.toISOString() ?? null }),
  reviewNotCurrent: (state: string) => errors.invalidState(state, 'this review belongs to a finished round or to an application no longer under review'),
  noReviewer: () => new AppError(409, 'NO_REVIEWER_AVAILABLE'),
  // The pool
  stalePreview: () => new AppError(409, 'STALE_PREVIEW'),
  notEligibleForDirectRoute: <F extends { message: string }>(failed: F[]) =>
    new AppError(409, 'NOT_ELIGIBLE_FOR_DIRECT_ROUTE', { detail: failed.map(f => f.message).join('; ') }, undefined, { failedConditions: failed }),
  quotaExceeded: (quota: number, total: number) => new AppError(409, 'QUOTA_EXCEEDED', { quota, total }, undefined, { quota, total }),
  applicantBarred: (until: string) => new AppError(409, 'APPLICANT_BARRED', { until }, undefined, { barredUntil: until }),
  // Support funds
  notAMember: (program: string) => new AppError(409, 'NOT_A_MEMBER', { program }, undefined, { program }),
  budgetExceeded: (budget: string, committed: string, requested: string, available: string) =>
    new AppError(409, 'BUDGET_EXCEEDED', { budget, committed, requested, available }, undefined, { budget, committed, requested, available }),
  paymentExceedsAward: (amount: string, unpaid: string) => new AppError(409, 'PAYMENT_EXCEEDS_AWARD', { amount, unpaid }, undefined, { amount, unpaid }),
  // Districts
  districtReviewPending: () => new AppError(409, 'DISTRICT_REVIEW_PENDING'),
  districtReviewNotRequired: () => new AppError(409, 'DISTRICT_REVIEW_NOT_REQUIRED')
}
