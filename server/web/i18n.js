// Chinese by default, English on request; the choice is kept in localStorage.
// Each entry is [中文, English]; {name} placeholders are filled from params.
const LANG_KEY = 'peiyu.lang'

export const MESSAGES = {
  'app.title': ['大连市重点企业培育库', 'Dalian Key-Enterprise Cultivation Pool'],
  'app.subtitle': ['软件和信息服务业 · 大连市经济和信息化委员会', 'Software & information services · Dalian Economic and Information Commission'],
  'app.footer': ['依据《大连市软件和信息服务业 2028 行动计划》建立重点企业培育库', 'Under the Dalian Software and Information Services 2028 Action Plan, section 4(2)'],
  'lang.switch': ['English', '中文'],
  'lang.switch.title': ['Switch to English', '切换到中文'],
  'nav.portal': ['企业申报', 'Applicant portal'],
  'nav.reviews': ['评审工作台', 'Reviewer workbench'],
  'nav.officer': ['业务办理', 'Officer console'],
  'nav.dashboard': ['统计分析', 'Analyst dashboard'],
  'nav.audit': ['审计日志', 'Audit trail'],
  'nav.staff': ['账户管理', 'Accounts'],
  'nav.login': ['登录', 'Sign in'],
  'nav.register': ['企业注册', 'Register a firm'],
  'nav.logout': ['退出', 'Sign out'],
  'nav.skip': ['跳到正文', 'Skip to content'],
  'role.enterprise': ['申报企业', 'Enterprise'],
  'role.reviewer': ['评审专家', 'Reviewer'],
  'role.officer': ['业务经办人', 'Officer'],
  'role.analyst': ['分析人员', 'Analyst'],
  'role.admin': ['系统管理员', 'Administrator'],
  'common.loading': ['正在加载…', 'Loading…'],
  'common.working': ['正在处理…', 'Working…'],
  'common.save': ['保存', 'Save'],
  'common.saved': ['已保存', 'Saved'],
  'common.cancel': ['取消', 'Cancel'],
  'common.submit': ['提交', 'Submit'],
  'common.back': ['返回', 'Back'],
  'common.open': ['打开', 'Open'],
  'common.none': ['暂无', 'None'],
  'common.year': ['年度', 'Year'],
  'common.state': ['状态', 'State'],
  'common.actions': ['操作', 'Actions'],
  'common.reason': ['理由', 'Reason'],
  'common.required': ['必填', 'required'],
  'common.error': ['出错了', 'Something went wrong'],
  'common.retry': ['重试', 'Retry'],
  'common.notFound': ['找不到该页面。', 'There is no such page.'],
  'common.forbidden': ['当前账户无权使用此页面。', 'This account may not use this page.'],
  'common.unavailable': ['该功能的接口尚未上线。', 'The API for this is not available yet.'],
  'common.fixFields': ['请根据提示修改标出的内容。', 'Please correct the marked fields.'],
  'common.confirm': ['确认', 'Confirm'],
  'common.yuan': ['元', 'CNY'],
  'common.csv': ['下载 CSV', 'Download CSV'],
  'common.firm': ['企业', 'Firm'],
  'common.program': ['培育计划', 'Program'],
  'common.tier': ['规模等级', 'Tier'],
  'common.updated': ['更新时间', 'Updated'],
  'common.total': ['合计', 'Total'],
  'common.page.more': ['加载更多', 'Load more'],

  'login.title': ['登录', 'Sign in'],
  'login.lead': ['企业、评审专家和委内工作人员使用同一入口登录。', 'Enterprises, reviewers and commission staff sign in here.'],
  'login.email': ['电子邮箱', 'Email'],
  'login.password': ['密码', 'Password'],
  'login.submit': ['登录', 'Sign in'],
  'login.noAccount': ['还没有账户?', 'No account yet?'],
  'login.registerLink': ['企业注册', 'Register your firm'],
  'login.expired': ['登录已过期,请重新登录。', 'Your session has ended; please sign in again.'],

  'register.title': ['企业注册', 'Register your firm'],
  'register.lead': ['使用统一社会信用代码注册。每个信用代码只能注册一个账户。', 'Register with your unified social credit code. One account per code.'],
  'register.uscc': ['统一社会信用代码', 'Unified social credit code'],
  'register.uscc.hint': ['18 位,由数字和大写字母组成(不含 I、O、S、V、Z)', '18 characters: digits and capital letters (no I, O, S, V, Z)'],
  'register.name': ['企业名称', 'Registered name'],
  'register.email': ['联系邮箱(登录账号)', 'Email (your sign-in)'],
  'register.password': ['密码', 'Password'],
  'register.password.hint': ['至少 10 位,不能使用常见密码', 'At least 10 characters; common passwords are refused'],
  'register.district': ['所在区市县 / 先导区', 'District or pilot zone'],
  'register.domains': ['重点方向(可多选)', 'Focus domains (one or more)'],
  'register.foundedOn': ['成立日期', 'Founded on'],
  'register.contactName': ['联系人', 'Contact person'],
  'register.contactPhone': ['联系电话', 'Contact phone'],
  'register.submit': ['注册', 'Register'],
  'register.done': ['注册成功,请登录。', 'Registered. Please sign in.'],
  'register.chooseDistrict': ['请选择', 'Choose…'],
  'uscc.ok': ['校验通过(行政区划码 {division})', 'Check character correct (division code {division})'],
  'uscc.length': ['还需 {n} 位(共 18 位)', '{n} more characters (18 in all)'],
  'uscc.tooLong': ['超出 18 位', 'Longer than 18 characters'],
  'uscc.charset': ['第 {position} 位“{char}”不是有效字符', 'Character {position} ("{char}") is not allowed'],
  'uscc.division': ['第 3–8 位应为 6 位数字的行政区划码', 'Characters 3–8 must be a 6-digit division code'],
  'uscc.check': ['校验位(第 18 位)应为 {expected},请核对', 'The check character (18th) should be {expected}; please check the code'],

  'portal.title': ['企业申报', 'Applicant portal'],
  'portal.profile': ['企业信息', 'Your firm'],
  'portal.declarations': ['年度经营数据', 'Annual figures'],
  'portal.declare': ['填报 / 修改', 'Declare / update'],
  'portal.declareYear': ['填报 {year} 年度数据', 'Declare figures for {year}'],
  'portal.declareSaved': ['已保存。按 {year} 年度规则,企业规模等级为:{tier}', 'Saved. Under the {year} rules your firm is: {tier}'],
  'portal.calls': ['正在开放的申报批次', 'Open calls'],
  'portal.noCalls': ['目前没有开放的申报批次。', 'No call is open at the moment.'],
  'portal.apply': ['申报', 'Apply'],
  'portal.applications': ['我的申报', 'My applications'],
  'portal.noApplications': ['还没有申报。', 'No applications yet.'],
  'portal.noDeclarations': ['还没有填报年度数据。申报前请先填报。', 'No annual figures yet. Declare them before you apply.'],
  'portal.window': ['申报时间', 'Window'],
  'portal.closesAt': ['截止', 'Closes'],

  'decl.operatingRevenue': ['营业收入(元)', 'Operating revenue (CNY)'],
  'decl.softwareRevenue': ['软件业务收入(元)', 'Software business revenue (CNY)'],
  'decl.mainBusinessRevenue': ['主营业务收入(元)', 'Main-business revenue (CNY)'],
  'decl.rdExpense': ['研发投入(元)', 'R&D spending (CNY)'],
  'decl.exportRevenue': ['出口收入(元)', 'Export revenue (CNY)'],
  'decl.totalAssets': ['资产总额(元)', 'Total assets (CNY)'],
  'decl.totalLiabilities': ['负债总额(元)', 'Total liabilities (CNY)'],
  'decl.employees': ['从业人员(人)', 'Employees'],
  'decl.rdStaff': ['研发人员(人)', 'R&D staff'],
  'decl.patents': ['有效专利(件)', 'Valid patents'],
  'decl.softwareCopyrights': ['软件著作权(件)', 'Software copyrights'],
  'decl.tier': ['规模等级', 'Tier'],
  'decl.money.hint': ['以元为单位,最多两位小数', 'In yuan, at most two decimals'],

  'app.statement': ['申报说明', 'Statement'],
  'app.statement.hint': ['介绍企业的主营业务、核心产品、创新能力和发展规划。', 'Describe the main business, core products, innovation and plans.'],
  'app.saveDraft': ['保存草稿', 'Save draft'],
  'app.submit': ['提交申报', 'Submit application'],
  'app.submitConfirm': ['提交后将进行资格审查,提交前请确认内容无误。', 'Submitting runs the eligibility checks. Make sure everything is right.'],
  'app.withdraw': ['撤回申报', 'Withdraw'],
  'app.returnReason': ['退回修改意见', 'Returned for revision'],
  'app.eligibility': ['资格审查', 'Eligibility'],
  'app.eligible': ['通过', 'Passed'],
  'app.ineligible': ['未通过:', 'Failed:'],
  'app.score': ['评审结果', 'Result of the review'],
  'app.decision': ['审定结论', 'Decision'],
  'app.appeal': ['提出申诉', 'Appeal'],
  'app.appeal.grounds': ['申诉理由', 'Grounds for the appeal'],
  'app.appeal.done': ['申诉已提交,将重新评审。', 'Your appeal is in; the application will be reviewed again.'],
  'app.history': ['办理进度', 'Progress'],
  'app.created': ['申报已创建,请填写申报说明。', 'Application created; write your statement.'],
  'app.versionMismatch': ['内容已被其他人修改,已载入最新版本,请核对后重新保存。', 'Someone else changed this meanwhile; the latest version is loaded, please check and save again.'],

  'doc.title': ['证明材料', 'Supporting documents'],
  'doc.name': ['文件', 'File'],
  'doc.type': ['类型', 'Type'],
  'doc.size': ['大小', 'Size'],
  'doc.none': ['尚未上传材料。', 'No documents yet.'],
  'doc.add': ['添加材料', 'Add a document'],
  'doc.hint': ['PDF、PNG 或 JPEG,不超过 10 MiB', 'PDF, PNG or JPEG, at most 10 MiB'],
  'doc.upload': ['上传', 'Upload'],
  'doc.uploaded': ['已上传', 'Uploaded'],
  'doc.tooLarge': ['文件超过 10 MiB。', 'The file is larger than 10 MiB.'],

  'state.draft': ['草稿', 'Draft'],
  'state.submitted': ['已提交', 'Submitted'],
  'state.under_review': ['评审中', 'Under review'],
  'state.scored': ['评审完成', 'Scored'],
  'state.admitted': ['已入库', 'Admitted'],
  'state.rejected': ['未通过', 'Rejected'],
  'state.ineligible': ['资格不符', 'Ineligible'],
  'state.returned': ['退回修改', 'Returned'],
  'state.withdrawn': ['已撤回', 'Withdrawn'],
  'state.appealed': ['申诉复审', 'Appealed'],
  'state.assigned': ['待评审', 'Assigned'],
  'state.in_progress': ['评审中', 'In progress'],
  'state.recused': ['已回避', 'Recused'],
  'state.reassigned': ['已改派', 'Reassigned'],
  'state.open': ['开放中', 'Open'],
  'state.closed': ['已截止', 'Closed'],
  'state.upcoming': ['未开始', 'Upcoming'],
  'state.notice': ['公示中', 'Under notice'],
  'state.active': ['在库', 'Active'],
  'state.warned': ['预警', 'Warned'],
  'state.exited': ['已退出', 'Exited'],
  'state.revoked': ['已撤销', 'Revoked'],
  'state.expired': ['已到期', 'Expired'],
  'state.graduated': ['已升级转出', 'Graduated'],
  'state.renewed': ['复核通过', 'Renewed'],
  'state.promoted': ['升级', 'Promoted'],
  'state.demoted': ['降级', 'Demoted'],
  'state.previewed': ['预览', 'Preview'],
  'state.applied': ['已执行', 'Applied'],

  'rev.title': ['评审工作台', 'Reviewer workbench'],
  'rev.assignments': ['我的评审任务', 'My assignments'],
  'rev.progress': ['完成 {done} / {total}', '{done} of {total} done'],
  'rev.none': ['暂无评审任务。', 'No assignments.'],
  'rev.figures': ['申报时冻结的年度数据', 'Figures frozen at submission'],
  'rev.auto': ['系统自动评分', 'Scored automatically'],
  'rev.judged': ['专家评分', 'Your scores'],
  'rev.indicator': ['指标', 'Indicator'],
  'rev.group': ['分组', 'Group'],
  'rev.max': ['满分', 'Max'],
  'rev.points': ['得分', 'Points'],
  'rev.comment': ['评审意见', 'Comment'],
  'rev.saveDraft': ['保存草稿', 'Save draft'],
  'rev.submit': ['提交评分', 'Submit scores'],
  'rev.submitted': ['评分已提交。', 'Scores submitted.'],
  'rev.recuse': ['申报利益冲突并回避', 'Declare a conflict and recuse'],
  'rev.recuse.reason': ['冲突情况说明', 'Describe the conflict'],
  'rev.recused': ['已回避,经办人将重新分配。', 'Recused; an officer will reassign the application.'],
  'rev.range': ['0–{max} 分', '0–{max} points'],
  'rev.statement': ['企业申报说明', "The firm's statement"],
  'rev.conflicts': ['我申报的利益冲突', 'My declared conflicts'],
  'rev.conflict.uscc': ['企业统一社会信用代码', "Firm's credit code"],
  'rev.conflict.add': ['申报利益冲突', 'Declare a conflict'],
  'rev.sum': ['专家评分合计', 'Your total'],

  'off.title': ['业务办理', 'Officer console'],
  'off.calls': ['申报批次', 'Calls'],
  'off.newCall': ['发布申报批次', 'Open a call'],
  'off.call.title': ['批次名称', 'Title'],
  'off.call.opensAt': ['开始时间', 'Opens at'],
  'off.call.closesAt': ['截止时间', 'Closes at'],
  'off.call.reviewers': ['每份申报评审专家人数', 'Reviewers per application'],
  'off.call.rubric': ['评分细则', 'Rubric'],
  'off.call.created': ['申报批次已发布。', 'The call is open.'],
  'off.applications': ['申报列表', 'Applications'],
  'off.autoAssign': ['自动分配评审专家', 'Assign reviewers automatically'],
  'off.autoAssigned': ['已分配 {n} 份申报。', '{n} applications assigned.'],
  'off.reviewsProgress': ['评审进度', 'Reviews'],
  'off.reviewsDone': ['{done} / {total} 份评分已提交', '{done} of {total} reviews in'],
  'off.decide': ['审定', 'Decide'],
  'off.admit': ['同意入库', 'Admit'],
  'off.reject': ['不予入库', 'Reject'],
  'off.return': ['退回修改', 'Return for revision'],
  'off.return.reason': ['退回理由', 'What to revise'],
  'off.decision.reason': ['审定意见', 'Reasons'],
  'off.short': ['{n} 份申报因无足够无利益冲突的专家未能分满。', '{n} applications could not get enough conflict-free reviewers.'],
  'off.decision.hint': ['与评分结论(是否达到及格线)不一致时必须填写。', 'Required when the decision goes against the rubric’s pass/fail.'],
  'off.decided': ['已审定。', 'Decided.'],
  'off.returned': ['已退回企业修改。', 'Returned to the firm.'],
  'off.pool': ['培育库', 'The pool'],
  'portal.membership': ['培育资格', 'Pool membership'],
  'portal.membership.term': ['有效期', 'Valid'],
  'portal.membership.reason': ['说明', 'Why'],
  'portal.membership.next': ['您可以', 'What you can do'],
  'portal.membership.direct': ['直通入库', 'Admitted directly'],
  'portal.membership.barred': ['{date} 前不得申报', 'May not apply before {date}'],
  'off.reevaluate': ['复核培育库', 'Re-evaluate the pool'],
  'off.reevaluate.lead': ['按所选年度的申报数据复核全部在库企业:续期、预警、退出、升级转出、到期及规模等级变化。先预览,确认后再执行。',
    "Re-reviews every member with the year's declarations: renewals, warnings, exits, graduations, expiries and tier changes. Preview first, then apply."],
  'off.re.preview': ['生成预览', 'Preview'],
  'off.re.previewNote': ['这是预览:培育库尚未发生任何变化。', 'This is a preview: nothing in the pool has changed yet.'],
  'off.re.evaluated': ['参评企业', 'Members evaluated'],
  'off.re.unchanged': ['无变化', 'Unchanged'],
  'off.re.kind': ['变化类型', 'Kind of change'],
  'off.re.allKinds': ['全部', 'All'],
  'off.re.change': ['变化', 'Change'],
  'off.re.apply': ['执行此次复核', 'Apply this re-evaluation'],
  'off.re.confirm': ['确认执行 {year} 年度复核?将续期 {renewed} 家、预警 {warned} 家、退出 {exited} 家、升级转出 {graduated} 家、到期 {expired} 家、升级 {promoted} 家、降级 {demoted} 家;相关企业将收到通知。此操作不可撤销。',
    'Apply the {year} re-evaluation? It renews {renewed}, warns {warned}, exits {exited}, graduates {graduated}, expires {expired}, promotes {promoted} and demotes {demoted} memberships, and tells each firm. This cannot be undone.'],
  'off.re.applied': ['复核已执行,相关企业已收到通知。', 'Applied; the firms have been told.'],
  'off.re.stale': ['预览生成后数据已变化,请重新生成预览。', 'The data changed since this preview; preview again.'],
  'off.direct': ['直通入库', 'Direct admission'],
  'off.direct.lead': ['符合直通条件(如百亿级企业)的企业无需申报评审,经公示后入库。', 'Firms meeting a direct route (e.g. the ten-billion tier) are admitted without a call, after public notice.'],
  'off.direct.enterprise': ['企业 ID', 'Enterprise id'],
  'off.direct.basis': ['直通依据', 'Direct route'],
  'off.direct.done': ['已直通入库,进入公示期(至 {until})。', 'Admitted directly; under public notice until {until}.'],
  'off.revoke': ['撤销培育资格', 'Revoke a membership'],
  'off.revoke.lead': ['适用于申报数据造假、发生重大安全质量事故或失信行为的企业;撤销后企业在限制期内不得申报。', 'For falsified data, serious safety or quality incidents or dishonest conduct; the firm may not apply during the bar.'],
  'off.revoke.membership': ['资格 ID', 'Membership id'],
  'off.revoke.barYears': ['限制申报年限', 'Years barred from applying'],
  'off.revoke.done': ['已撤销,企业已收到通知。', 'Revoked; the firm has been told.'],
  'off.audit': ['审计记录', 'Audit trail'],
  'off.audit.adminOnly': ['审计记录仅系统管理员可查看。', 'Only an administrator may read the audit trail.'],
  'off.assign.manual': ['指定评审专家', 'Assign reviewers'],
  'off.reviewers': ['评审专家', 'Reviewers'],
  'off.total': ['总分', 'Total'],
  'off.grade': ['等次', 'Grade'],
  'off.pass': ['达到及格线', 'Pass'],
  'off.disagreement': ['专家评分分歧较大', 'Reviewers disagree'],

  'dash.title': ['统计分析', 'Analyst dashboard'],
  'dash.year': ['统计年度', 'Year'],
  'dash.by': ['分组维度', 'Group by'],
  'dash.by.tier': ['规模等级', 'Tier'],
  'dash.by.program': ['培育计划', 'Program'],
  'dash.by.domain': ['重点方向', 'Domain'],
  'dash.by.district': ['区市县', 'District'],
  'dash.firms': ['企业数', 'Firms'],
  'dash.revenue': ['营业收入(亿元)', 'Operating revenue (100M CNY)'],
  'dash.softwareRevenue': ['软件业务收入', 'Software revenue'],
  'dash.rdExpense': ['研发投入', 'R&D spending'],
  'dash.employees': ['从业人员', 'Employees'],
  'dash.suppressed': ['为保密已隐去', 'Withheld (confidential)'],
  'dash.suppressedNote': ['企业过少或由个别企业主导的数值不显示,以免推算出单个企业的数据。', 'Figures of too few firms, or dominated by one firm, are withheld so that no firm\'s own figures can be worked out.'],
  'dash.suppressedCells': [
    '少于 {n} 家企业或最大两家以外合计不足最大一家 {p}% 的数值已隐去(只显示企业数);全市合计始终准确。',
    'Figures of fewer than {n} firms, or where all but the two largest firms add up to less than {p}% of the largest, are withheld (firm counts stay); city-wide totals are always exact.'
  ],
  'dash.revenue.axis': ['亿元', '100M CNY'],
  'dash.table': ['明细表', 'Table'],
  'dash.targets': ['规划目标完成情况', 'Plan targets'],
  'dash.goal': ['目标', 'Goal'],
  'dash.value': ['现状', 'Now'],
  'dash.gap': ['差距', 'Gap'],
  'dash.met': ['已达成', 'Met'],
  'dash.notMet': ['未达成', 'Not met'],
  'dash.trend': ['历年趋势', 'Trend over the years'],
  'dash.distribution': ['分布', 'Distribution'],
  'dash.totals': ['合计', 'Totals'],
  'dash.noData': ['该年度暂无数据。', 'No data for this year.'],
  'dash.due': ['{year} 年目标', 'by {year}'],

  'audit.title': ['审计记录', 'Audit trail'],
  'audit.objectId': ['对象编号', 'Object id'],
  'audit.object': ['对象', 'Object'],
  'audit.objectType': ['对象类型', 'Object type'],
  'audit.action': ['操作', 'Action'],
  'audit.actor': ['操作人', 'Actor'],
  'audit.at': ['时间', 'Time'],
  'audit.search': ['查询', 'Search'],
  'audit.verify': ['校验哈希链', 'Verify the hash chain'],

  'staff.title': ['工作人员账户', 'Staff accounts'],
  'staff.create': ['创建账户', 'Create account'],
  'staff.name': ['姓名', 'Name'],
  'staff.role': ['角色', 'Role'],
  'staff.employerUscc': ['所在单位信用代码(评审专家,可选)', "Employer's credit code (reviewers, optional)"],
  'staff.created': ['账户已创建。', 'Account created.'],
  // Policy what-if (issue 18)
  'nav.simulations': ['政策模拟', 'Policy what-if'],
  'sim.title': ['政策模拟:采用前先看影响', 'Policy what-if: see the effect before adopting'],
  'sim.intro': ['在当前政策旁编辑拟议的层级规则、申报门槛、评分标准或规划目标,用所选年度的真实填报数据、培育库和申报计算影响。模拟不修改任何数据;管理员确认后才会采用。', 'Edit a proposed tier rule set, gates, rubric or targets beside the current one and see its effect on the year\'s real declarations, pool and applications. A simulation changes nothing; an administrator adopts it after a confirmation.'],
  'sim.proposal': ['拟议政策', 'Proposed policy'],
  'sim.part.tierRules': ['层级规则', 'Tier rules'],
  'sim.part.eligibilityGates': ['申报门槛', 'Eligibility gates'],
  'sim.part.rubric': ['评分标准(新版本)', 'Rubric (a new version)'],
  'sim.part.targets': ['规划目标', 'Plan targets'],
  'sim.grid': ['分析人员拟议的门槛须为 1、1.5、2、3、5 或 7 乘以 10 的整数次幂(元),以免推算单个企业的营业收入。', 'Analysts propose thresholds of 1, 1.5, 2, 3, 5 or 7 times a power of ten yuan, so no firm\'s revenue can be narrowed down.'],
  'sim.badJson': ['{part} 不是有效的 JSON', '{part} is not valid JSON'],
  'sim.addRule': ['+ 增加一条规则', '+ Add a rule'],
  'sim.tier': ['层级', 'Tier'],
  'sim.current': ['现行门槛', 'Current threshold'],
  'sim.proposed': ['拟议门槛(元)', 'Proposed threshold (CNY)'],
  'sim.fromYear': ['起始年', 'From'],
  'sim.toYear': ['截止年', 'To'],
  'sim.domain': ['领域', 'Domain'],
  'sim.note': ['依据', 'Source'],
  'sim.run': ['模拟', 'Simulate'],
  'sim.result': ['{year} 年模拟结果', 'Simulated on {year}'],
  'sim.before': ['现行', 'now'],
  'sim.after': ['拟议', 'proposed'],
  'sim.tiers': ['企业层级:{firms} 家企业中 {changed} 家改变层级', 'Tiers: {changed} of {firms} firms change tier'],
  'sim.sankey': ['层级流向图', 'Tier moves (Sankey)'],
  'sim.from': ['原层级', 'From'],
  'sim.to': ['新层级', 'To'],
  'sim.noMoves': ['没有企业改变层级', 'No firm changes tier'],
  'sim.targets': ['规划目标:现行与拟议', 'Plan targets now and under the proposal'],
  'sim.target': ['目标', 'Target'],
  'sim.goal': ['目标值', 'Goal'],
  'sim.gapAfter': ['拟议差距', 'Gap (proposed)'],
  'sim.pool': ['培育库:复核 {evaluated} 家,{changed} 家结果改变', 'Pool: {evaluated} members re-evaluated, {changed} change'],
  'sim.outcome.stays': ['保留', 'stays'],
  'sim.outcome.warned': ['预警', 'warned'],
  'sim.outcome.exits': ['退出', 'exits'],
  'sim.outcome.graduates': ['毕业(超出本计划)', 'graduates (outgrew it)'],
  'sim.program': ['计划', 'Program'],
  'sim.newly': ['新符合条件', 'Newly qualify'],
  'sim.noLonger': ['不再符合', 'No longer qualify'],
  'sim.firm': ['企业', 'Firm'],
  'sim.applications': ['申报:{examined} 件', 'Applications: {examined}'],
  'sim.call': ['批次', 'Call'],
  'sim.eligibilityFlips': ['资格改变', 'Eligibility flips'],
  'sim.passFlips': ['通过改变', 'Pass/fail flips'],
  'sim.rankChanges': ['排名改变', 'Rank changes'],
  'sim.eligible': ['资格', 'Eligible'],
  'sim.total': ['总分', 'Total'],
  'sim.rank': ['排名', 'Rank'],
  'sim.firms': ['改变层级的企业', 'Firms that change tier'],
  'sim.aggregate': ['汇总视图:不列出企业;拟议政策改变的收入占比不予公布。', 'Aggregate view: no firm lists; revenue shares the proposal changes are withheld.'],
  'sim.adopt': ['采用此政策', 'Adopt this policy'],
  'sim.adopt.confirm': ['确定采用模拟的政策({parts})并重新计算 {year} 年的层级?此操作将记入审计日志。', 'Adopt the simulated policy ({parts}) and recompute the tiers of {year}? This is recorded in the audit trail.'],
  'sim.adopted': ['已采用', 'Adopted'],
  'sim.isAdopted': ['此模拟已采用', 'This simulation was adopted'],
  'sim.stale': ['模拟之后政策已被修改,请重新模拟', 'The policy changed since: simulate again'],
  'sim.history': ['历次模拟', 'Past simulations'],
  'sim.parts': ['内容', 'Parts'],
  'sim.changedFirms': ['改变层级', 'Tier changes'],
  'sim.state.simulated': ['已模拟', 'simulated'],
  'sim.state.adopted': ['已采用', 'adopted']
}

let lang = (() => {
  try {
    const stored = localStorage.getItem(LANG_KEY)
    if (stored === 'en' || stored === 'zh') return stored
  } catch {}
  return 'zh'
})()

export function getLang () { return lang }

export function setLang (next) {
  lang = next === 'en' ? 'en' : 'zh'
  try { localStorage.setItem(LANG_KEY, lang) } catch {}
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en'
}

/** The text for key in the current language, {placeholders} filled. */
export function t (key, params) {
  const entry = MESSAGES[key]
  let text = entry == null ? key : entry[lang === 'zh' ? 0 : 1]
  if (params != null) text = text.replace(/\{(\w+)\}/g, (_, k) => params[k] ?? '')
  return text
}

// The API's field messages come from its JSON-schema validator in English;
// the common ones read better in Chinese beside a Chinese form.
const FIELD_MESSAGES_ZH = [
  [/^must NOT have fewer than (\d+) characters$/, (n) => n === '1' ? '不能为空' : `至少 ${n} 个字符`],
  [/^must NOT have more than (\d+) characters$/, (n) => `最多 ${n} 个字符`],
  [/^must NOT have fewer than (\d+) items$/, (n) => `至少选择 ${n} 项`],
  [/^must be integer$/, () => '必须是整数'],
  [/^must be number$/, () => '必须是数字'],
  [/^must be string$/, () => '必须填写'],
  [/^must be >= (-?[\d.]+)$/, (n) => `不能小于 ${n}`],
  [/^must be <= (-?[\d.]+)$/, (n) => `不能大于 ${n}`],
  [/^must match pattern .*$/, () => '格式不正确'],
  [/^must match format "email"$/, () => '不是有效的电子邮箱地址'],
  [/^must match format "date"$/, () => '不是有效的日期'],
  [/^must match format "date-time"$/, () => '不是有效的时间'],
  [/^must match format "uri"$/, () => '不是有效的网址'],
  [/^must have required property .*$/, () => '必填'],
  [/^is not a field you may set$/, () => '不允许填写此项']
]

export function localizeFieldMessage (message) {
  if (lang !== 'zh') return message
  for (const [re, fn] of FIELD_MESSAGES_ZH) {
    const m = re.exec(message)
    if (m != null) return fn(m[1])
  }
  return message
}

/** A reference-data row's name in the current language. */
export function nameOf (row) {
  if (row == null) return '—'
  return (lang === 'zh' ? row.nameZh : row.nameEn) ?? row.code
}

const numberFormat = () => new Intl.NumberFormat(lang === 'zh' ? 'zh-CN' : 'en-GB')

/** "123456789.50" → "123,456,789.50" without passing through a float. */
export function formatMoney (value) {
  if (value == null || value === '') return '—'
  const [whole, frac] = String(value).split('.')
  const neg = whole.startsWith('-')
  const digits = neg ? whole.slice(1) : whole
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return (neg ? '-' : '') + grouped + '.' + (frac ?? '').padEnd(2, '0').slice(0, 2)
}

export function formatNumber (value) {
  if (value == null || value === '') return '—'
  return numberFormat().format(Number(value))
}

export function formatDateTime (value) {
  if (value == null) return '—'
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) return String(value)
  return d.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' })
}

export function formatDate (value) {
  if (value == null) return '—'
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) return String(value)
  return d.toLocaleDateString(lang === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'medium' })
}
