/**
 * Names of the fixed codes (states, statuses, roles) in Chinese and English,
 * for exports and emails. Reference codes (tiers, programs, domains,
 * districts) take their names from their tables instead.
 */
export const STATIC_LABELS = {
  membershipStatus: {
    notice: ['公示中', 'Under notice'],
    active: ['在库', 'Active'],
    warned: ['预警', 'Warned'],
    exited: ['已退出', 'Exited'],
    revoked: ['已撤销', 'Revoked'],
    expired: ['已到期', 'Expired'],
    graduated: ['已毕业', 'Graduated']
  },
  applicationState: {
    draft: ['草稿', 'Draft'],
    submitted: ['已提交', 'Submitted'],
    district_reviewed: ['区县已推荐', 'Recommended by the district'],
    under_review: ['评审中', 'Under review'],
    scored: ['评审完成', 'Scored'],
    admitted: ['已入库', 'Admitted'],
    rejected: ['未通过', 'Rejected'],
    ineligible: ['资格不符', 'Ineligible'],
    returned: ['退回修改', 'Returned'],
    withdrawn: ['已撤回', 'Withdrawn'],
    appealed: ['申诉复审', 'Appealed']
  },
  role: {
    enterprise: ['企业', 'Enterprise'],
    reviewer: ['评审专家', 'Reviewer'],
    officer: ['工作人员', 'Officer'],
    analyst: ['分析人员', 'Analyst'],
    admin: ['管理员', 'Administrator'],
    district_officer: ['区县工作人员', 'District officer']
  },
  firmRole: {
    owner: ['负责人', 'Owner'],
    member: ['成员', 'Member']
  },
  awardState: {
    awarded: ['已立项', 'Awarded'],
    partly_paid: ['部分拨付', 'Partly paid'],
    paid: ['已拨付', 'Paid'],
    cancelled: ['已取消', 'Cancelled']
  },
  outboxState: {
    queued: ['待发送', 'Queued'],
    sending: ['发送中', 'Sending'],
    sent: ['已发送', 'Sent'],
    failed: ['发送失败', 'Failed']
  },
  /** "Total" rows of aggregate exports, and cells of no category. */
  aggregate: {
    total: ['合计', 'Total'],
    none: ['未分类', 'None']
  }
} as const satisfies Record<string, Record<string, readonly [string, string]>>

export type StaticLabelKind = keyof typeof STATIC_LABELS
