/**
 * Chinese for the messages the service writes itself: field messages of
 * VALIDATION_FAILED built in services and domain rules (the JSON-schema
 * validator's own messages are localized by ajv-i18n), the reasons of
 * WEAK_PASSWORD and INVALID_USCC, and the details of INVALID_STATE,
 * CONFLICT and BAD_REQUEST. The error catalogue (server/domain/errors.ts)
 * renders a reply in the caller's language and asks this table for the
 * Chinese of each such text.
 *
 * Each entry is an English template as the code writes it, with {name}
 * where the code puts a value, and its Chinese with the same names. A
 * message with no entry stays English; test/field-messages.test.ts finds
 * every literal message in the source and fails when one has no entry.
 */
export const FIELD_MESSAGES: ReadonlyArray<readonly [string, string]> = [
  // Accounts, passwords, credit codes
  ['must not be in the future', '不能晚于今天'],
  ['only reviewers have fields of expertise', '只有评审专家才有专业领域'],
  ['must be at least {n} characters', '至少 {n} 个字符'],
  ['must be at most {n} characters', '最多 {n} 个字符'],
  ['is one of the most common passwords', '是最常见的密码之一,请换一个'],
  ['uses too few different characters', '包含的不同字符太少'],
  ['must not contain your email, name or credit code', '不能包含您的邮箱、名称或统一社会信用代码'],
  ['must differ from the current password', '必须与当前密码不同'],
  ['must be 18 characters, got {n}', '必须为 18 位,实际为 {n} 位'],
  ['character {i} ("{c}") is not one of 0-9A-HJ-NPQRTUWXY', '第 {i} 位("{c}")不是 0-9、A-H、J-N、P-R、T-U、W-Y 中的字符'],
  ['characters 3-8 must be a 6-digit administrative division code', '第 3-8 位必须是 6 位行政区划代码'],
  ['check character (18th) should be {a}, got {b}', '校验码(第 18 位)应为 {a},实际为 {b}'],
  ['unknown value {v}', '未知的值 {v}'],
  ['is not valid', '无效'],
  ['is wrong', '不正确'],
  ["does not match the credit code's division {d}", '与统一社会信用代码中的行政区划码 {d} 不一致'],
  ['an enterprise account cannot take a staff role', '企业账户不能改为工作人员角色'],
  ['this is the last enabled administrator', '这是最后一个启用的管理员账户'],
  // Paging, headers, request shape
  ['is not a cursor this endpoint returned', '不是本接口返回的分页游标'],
  ['must be 1-255 characters', '长度须为 1-255 个字符'],
  ['must be a decimal string such as "123456789.50", not a JSON number', '须为十进制字符串(如 "123456789.50"),不能是 JSON 数字'],
  ['send one file as multipart/form-data', '请以 multipart/form-data 上传一个文件'],
  ['a path parameter is too long', '路径参数过长'],
  ['the URL is malformed', '网址格式错误'],
  ['a record with these values already exists', '已存在相同内容的记录'],
  ['a referenced record does not exist or is still in use', '引用的记录不存在或仍在使用中'],
  ['a value is out of range or malformed', '某个值超出范围或格式错误'],
  // Calls, documents, applications
  ['{key} is listed twice', '{key} 重复列出'],
  ['must be later than opensAt', '必须晚于开始时间(opensAt)'],
  ['is in the past: the call would never be open', '已是过去的时间:该批次将永远不会开放'],
  ['the opening time of an open call cannot change', '已开放批次的开始时间不能修改'],
  ['{kind} is not a required document of the call ({list})', '{kind} 不是该批次要求的材料({list})'],
  ['documents are frozen with the application once it is submitted', '申报提交后,材料随申报一并锁定'],
  ['only a draft or returned application can be edited', '只有草稿或退回修改的申报可以编辑'],
  ['an application in state {state} cannot {event}', '处于 {state} 状态的申报不能执行此操作({event})'],
  ['a decision letter exists once the application is admitted or rejected', '申报入库或未通过后才有决定书'],
  // Declarations
  ['must not be in the future (the current year is {year})', '不能是将来的年度(当前为 {year} 年)'],
  ['must not be before the firm was founded ({year})', '不能早于企业成立年度({year} 年)'],
  ['must be a decimal string of yuan with at most 2 decimals', '须为以元为单位、最多两位小数的十进制字符串'],
  ['must not be negative', '不能为负数'],
  ['must be a whole number', '须为整数'],
  ['must not exceed operatingRevenue ({v})', '不能超过营业收入({v})'],
  ['must not exceed employees ({v})', '不能超过从业人数({v})'],
  ['may only be given together with totalAssets', '须与资产总额(totalAssets)一并填写'],
  // Reviews, scoring, assignment, decisions
  ['is not a judged indicator of this rubric', '不是该评分标准中由专家打分的指标'],
  ['must be a number', '须为数字'],
  ['must be between 0 and {max}', '须在 0 到 {max} 之间'],
  ['at most two decimals', '最多两位小数'],
  ['is not scored yet', '尚未打分'],
  ['the review is no longer open', '该评审已结束'],
  ['a review in state {state} cannot {event}', '处于 {state} 状态的评审不能执行此操作({event})'],
  ['this review belongs to a finished round or to an application no longer under review', '该评审属于已结束的轮次,或申报已不在评审中'],
  ['{id} is not an active reviewer', '{id} 不是启用的评审专家'],
  ['{id} is decided twice in this batch', '{id} 在本批决定中出现两次'],
  ['{id} is not an application of this call', '{id} 不是本批次的申报'],
  ['admitting an application that did not pass overrides the rubric: give a reason', '未达到评分标准而拟入库,须填写理由'],
  ['rejecting an application that passed overrides the rubric: give a reason', '已达到评分标准而不予入库,须填写理由'],
  ['you already declared a conflict with this credit code', '您已申报与该统一社会信用代码的利益冲突'],
  // Rubrics
  ['duplicate indicator key {key}', '指标代码 {key} 重复'],
  ['must be positive with at most two decimals', '须为正数,最多两位小数'],
  ['a judged indicator has no source measure', '专家打分指标不设数据来源'],
  ['a judged indicator has no bands', '专家打分指标不设分档'],
  ['an auto indicator names the measure it is scored from', '自动计分指标须指明计分所依据的数据项'],
  ['an auto indicator needs at least one band', '自动计分指标至少需要一个分档'],
  ['every band has either atLeast (all of them) or atMost (all of them)', '各分档须统一使用 atLeast(下限)或统一使用 atMost(上限)'],
  ['bound is not a decimal', '分档界限不是十进制数'],
  ['must be 0 or more with at most two decimals', '须不小于 0,最多两位小数'],
  ["more than the indicator's maximum {max}", '超过该指标的满分 {max}'],
  ['bands must be listed with strictly descending atLeast', '各分档须按 atLeast 严格递减排列'],
  ['bands must be listed with strictly ascending atMost', '各分档须按 atMost 严格递增排列'],
  ['no indicator is in group {group}', '分组 {group} 中没有指标'],
  ["more than the group's maximum {max}", '超过该分组的满分 {max}'],
  ["more than the rubric's maximum {max}", '超过该评分标准的满分 {max}'],
  ['duplicate grade {grade}', '等级 {grade} 重复'],
  ['grade bands must be listed with strictly descending min', '等级须按最低分(min)严格递减排列'],
  ['the lowest grade band starts at 0 so every total has a grade', '最低等级须从 0 分开始,使每个总分都有等级'],
  ['is a rubric of {a}, not of {b}', '是 {a} 的评分标准,不是 {b} 的'],
  ['a call grades with this rubric version; create a new version instead', '已有批次使用该版本评分标准评审,请另建新版本'],
  // Tier rules, gates, targets, policy values, simulations
  ['unknown tier {tier}', '未知的层级 {tier}'],
  ['below_scale is whatever falls below the lowest threshold and takes no rule', '规模以下(below_scale)指低于最低门槛的企业,不设规则'],
  ['unknown domain {domain}', '未知的领域 {domain}'],
  ['must be more than 0', '须大于 0'],
  ['must not be before fromYear ({year})', '不能早于起始年度({year})'],
  ['overlaps rules.{j}: two general rules for {tier} in force in the same year', '与 rules.{j} 重叠:{tier} 在同一年度有两条生效的通用规则'],
  ['overlaps rules.{j}: two rules for domain {domain} for {tier} in force in the same year', '与 rules.{j} 重叠:{tier} 在同一年度有两条生效的 {domain} 领域规则'],
  ['in {year} for {domain} firms, {tier} needs {min} but {prev} already needs {prevMin}: a higher tier must need more revenue',
    '{year} 年 {domain} 领域企业:{tier} 门槛为 {min},但 {prev} 已为 {prevMin};更高层级的营业收入门槛必须更高'],
  ['in {year}, {tier} needs {min} but {prev} already needs {prevMin}: a higher tier must need more revenue',
    '{year} 年:{tier} 门槛为 {min},但 {prev} 已为 {prevMin};更高层级的营业收入门槛必须更高'],
  ['is not a program', '不是培育计划'],
  ['{program} is not a program', '{program} 不是培育计划'],
  ['a program cannot graduate into itself', '培育计划不能晋级到其自身'],
  ['is missing (use [] for a program without gates)', '缺失(没有门槛的计划请填 [])'],
  ['{name} appears twice', '{name} 重复出现'],
  ['{name} appears twice for district {d}', '{name} 在区县 {d} 重复出现'],
  ['is required for {measure}', '{measure} 须填写此项'],
  ['is not used by {measure}', '{measure} 不使用此项'],
  ['a ratio goal is a fraction between 0 and 1', '比例目标须为 0 到 1 之间的小数'],
  ['{key} is not a policy value', '{key} 不是政策参数'],
  ['propose at least one of {parts}', '请至少提出以下一项:{parts}'],
  ['analysts may propose thresholds of 1, 1.5, 2, 3, 5 or 7 times a power of ten yuan', '分析人员只能提出 10 的整数次幂元的 1、1.5、2、3、5 或 7 倍作为门槛'],
  ['analysts may simulate tier rules and targets only', '分析人员只能模拟层级规则和规划目标'],
  ['a simulation in state {state} cannot be {event}ed again', '处于 {state} 状态的模拟不能再次执行此操作({event})'],
  // Analytics, meetings, the pool, notices, the outbox
  ['must not be before from', '不能早于起始年度(from)'],
  ['at most 50 years at once', '一次最多 50 年'],
  ['unknown dimension {d}; use {list}', '未知的维度 {d};可用:{list}'],
  ['a dimension appears twice', '维度重复'],
  ['more than {n} applications: filter by call or state', '超过 {n} 项申报:请按批次或状态筛选'],
  ['unknown status {s} (one of {list})', '未知的状态 {s}(可选:{list})'],
  ['unknown kind {k} (one of {list})', '未知的类型 {k}(可选:{list})'],
  ['a pool membership in state {state} cannot {event}', '处于 {state} 状态的培育资格不能执行此操作({event})'],
  ['the pool was already re-evaluated for {year}; an earlier year cannot be re-run', '培育库已按 {year} 年度复评,不能再按更早年度复评'],
  ['the notice is no longer open', '该公示已结束'],
  ['the objection is already resolved', '该异议已处理'],
  ['an email in state {state} cannot {event}', '处于 {state} 状态的邮件不能执行此操作({event})'],
  // The JSON-schema checks of policy values (TypeBox's messages)
  ['Expected required property', '缺少必填项'],
  ['Unexpected property', '不是可以设置的字段'],
  ['Expected string', '应当是字符串'],
  ['Expected number', '应当是数字'],
  ['Expected integer', '应当是整数'],
  ['Expected boolean', '应当是布尔值'],
  ['Expected object', '应当是对象'],
  ['Expected array', '应当是数组'],
  ['Expected union value', '不是允许的取值'],
  ['Expected array elements to be unique', '数组元素不能重复'],
  ['Expected number to be greater or equal to {n}', '应当不小于 {n}'],
  ['Expected number to be less or equal to {n}', '应当不大于 {n}'],
  ['Expected integer to be greater or equal to {n}', '应当是不小于 {n} 的整数'],
  ['Expected integer to be less or equal to {n}', '应当是不大于 {n} 的整数'],
  ['Expected number to be greater than {n}', '应当大于 {n}'],
  ['Expected number to be less than {n}', '应当小于 {n}'],
  ['Expected string length greater or equal to {n}', '至少 {n} 个字符'],
  ['Expected string length less or equal to {n}', '最多 {n} 个字符'],
  ['Expected string to match \'{p}\'', '须符合格式 {p}'],
  ["Expected string to match '{f}' format", '格式不正确({f})'],
  ['Expected array length to be greater or equal to {n}', '至少 {n} 项'],
  ['Expected array length to be less or equal to {n}', '最多 {n} 项'],
  ["Expected '{v}'", "应当是 '{v}'"],
  // Support funds and districts
  ['must not be blank', '不能为空'],
  ['an award in state {state} cannot {event}', '处于 {state} 状态的资助不能执行此操作({event})'],
  ['must not be before the award was made', '不能早于资助决定日期'],
  ['the program already has a fund of this name for the year', '该培育计划本年度已有同名专项资金'],
  ["must be one of the firm's domains", '须为企业所属领域之一'],
  ['only a district_officer account has a district', '只有区县工作人员账户才有所属区县'],
  ['the district pre-screen can be switched only before the call opens', '区县初审设置只能在批次开放前修改'],
  ['use either district or by=district', 'district 与 by=district 只能选用其一']
]

const compiled = FIELD_MESSAGES.map(([en, zh]) => {
  const names: string[] = []
  const source = en.split(/\{(\w+)\}/).map((part, i) => {
    if (i % 2 === 1) { names.push(part); return '(.+?)' }
    return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  }).join('')
  return { re: new RegExp(`^${source}$`, 's'), names, zh }
})

/** The Chinese of a message the service wrote in English, or undefined when the table has none. */
export function messageZh (message: string): string | undefined {
  for (const { re, names, zh } of compiled) {
    const m = re.exec(message)
    if (m == null) continue
    const values = Object.fromEntries(names.map((n, i) => [n, m[i + 1]]))
    return zh.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? '')
  }
  return undefined
}
