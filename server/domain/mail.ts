/**
 * What each email says: Chinese first, then one English line, then the link.
 * Plain text only (no HTML: nothing to render wrongly or to track). Emails
 * name the object and link to it; they never carry confidential figures.
 */

export interface MailContent { subject: string, text: string }

/** Links into the web app, built from APP_URL. */
export interface MailLinks { appUrl: string }

const SIGNATURE = '\n\n——\n大连市重点企业培育库 · Dalian key-enterprise cultivation pool\n此邮件由系统自动发送，请勿直接回复。 This message was sent automatically; please do not reply.'

function compose (zhSubject: string, enSubject: string, zhBody: string, enLine: string, link?: string): MailContent {
  const parts = [zhBody, enLine]
  if (link != null) parts.push(link)
  return { subject: `${zhSubject} | ${enSubject}`, text: parts.join('\n\n') + SIGNATURE }
}

const str = (v: unknown): string => typeof v === 'string' ? v : v == null ? '' : String(v)

/** The email for an inbox notification of `kind`; the link opens the inbox at the object. */
export function notificationMail (kind: string, payload: Record<string, unknown>, links: MailLinks): MailContent {
  const inbox = `${links.appUrl}/#/inbox`
  const app = str(payload.applicationId)
  switch (kind) {
    case 'review_assigned':
      return compose('新的评审任务', 'New review assigned', `您有一项新的评审任务（申报编号 ${app}）。请登录系统查看并按期完成评审。`,
        `You have been assigned a new review (application ${app}). Please sign in to review it before the due date.`, inbox)
    case 'review_due_soon':
      return compose('评审任务即将到期', 'Review due soon', `您的评审任务（申报编号 ${app}）将于 ${str(payload.dueAt)} 到期，请尽快完成。`,
        `Your review of application ${app} is due at ${str(payload.dueAt)}.`, inbox)
    case 'review_overdue':
      return compose('评审任务已逾期', 'Review overdue', `您的评审任务（申报编号 ${app}）已超过截止时间 ${str(payload.dueAt)}，请尽快完成。`,
        `Your review of application ${app} was due at ${str(payload.dueAt)}.`, inbox)
    case 'review_reassigned':
      return compose('评审任务已改派', 'Review reassigned', `申报（编号 ${app}）的一项评审任务已改派。`, `A review of application ${app} was reassigned.`, inbox)
    case 'call_closing':
      return compose('申报即将截止', 'Call closing soon', `申报批次“${str(payload.title)}”将于 ${str(payload.closesAt)} 截止，您的申报尚未提交。`,
        `The call "${str(payload.title)}" closes at ${str(payload.closesAt)} and your application is not submitted yet.`, inbox)
    case 'application_returned':
      return compose('申报已退回修改', 'Application returned', `您的申报（编号 ${app}）已退回修改。原因：${str(payload.reason)}`,
        `Your application ${app} was returned for changes. Reason: ${str(payload.reason)}`, inbox)
    case 'decision_made':
      return payload.reversedAdmission === true
        ? compose('入库决定已撤销', 'Admission reversed', `经公示异议核实，您的申报（编号 ${app}）入库决定已撤销。您可在申诉期内提出一次申诉。`,
          `After an upheld objection, the admission of application ${app} was reversed. You may appeal once within the appeal window.`, inbox)
        : compose('申报结果已公布', 'Decision made', `您的申报（编号 ${app}）已有评审决定：${str(payload.decision) === 'admit' ? '拟入库' : '未通过'}。`,
          `A decision was made on your application ${app}: ${str(payload.decision)}.`, inbox)
    case 'appeal_received':
      return compose('收到申诉', 'Appeal received', `企业对申报（编号 ${app}）的决定提出申诉，请处理。`, `A firm appealed the decision on application ${app}.`, inbox)
    case 'review_recused':
      return compose('评审专家申请回避', 'Reviewer recused', `一位评审专家已回避申报（编号 ${app}）的评审，请另行指派。`,
        `A reviewer recused from application ${app}; please assign another.`, inbox)
    case 'objection_received':
      return payload.forFirm === true
        ? compose('您的公示收到异议', 'Objection to your notice',
          `您的入库公示收到一项异议（受理编号 ${str(payload.reference)}）。工作人员核实期间，公示期满不会自动生效；核实结果将另行通知。`,
          `Your public notice received an objection (reference ${str(payload.reference)}). It is being checked; you will be told the outcome.`, inbox)
        : compose('收到公示异议', 'Objection lodged', `公示收到一项异议（受理编号 ${str(payload.reference)}），请核实处理。`,
          `An objection was lodged against a public notice (reference ${str(payload.reference)}); please check it.`, inbox)
    case 'objection_resolved':
      return compose('公示异议已处理', 'Objection resolved',
        `对您入库公示的异议（受理编号 ${str(payload.reference)}）已处理：${payload.outcome === 'upheld' ? '异议成立，入库决定撤销' : '异议不成立，公示继续有效'}。`,
        `The objection to your notice (reference ${str(payload.reference)}) was ${payload.outcome === 'upheld' ? 'upheld: the admission is reversed' : 'dismissed: the notice stands'}.`, inbox)
    default:
      return compose('新的系统通知', 'New notification', '您有一条新的系统通知，请登录查看。', 'You have a new notification; please sign in to read it.', inbox)
  }
}

/** The password reset email: the link carries the one-time token; `firmName` names the firm an enterprise account acts for. */
export function passwordResetMail (token: string, minutes: number, links: MailLinks, firmName?: string | null): MailContent {
  const zhAccount = firmName != null ? `“${firmName}”企业账户` : '您账户'
  const enAccount = firmName != null ? `the account of ${firmName}` : 'your account'
  return compose('重置密码', 'Reset your password',
    `我们收到了重置${zhAccount}密码的请求。请在 ${minutes} 分钟内打开下面的链接设置新密码；链接只能使用一次。如非本人操作，请忽略本邮件，您的密码不会改变。`,
    `Open the link below within ${minutes} minutes to set a new password for ${enAccount} (it works once). If you did not ask for this, ignore this email.`,
    `${links.appUrl}/#/reset?token=${encodeURIComponent(token)}`)
}

/** A colleague's invitation to a firm's account: the link sets the password. */
export function invitationMail (firmName: string, inviter: string, token: string, days: number, links: MailLinks): MailContent {
  return compose(`邀请您加入“${firmName}”`, 'You are invited', `${inviter} 邀请您以企业成员身份使用“${firmName}”的培育库账户（填报、申报）。请在 ${days} 天内打开下面的链接设置密码。`,
    `${inviter} invited you to act for ${firmName} in the cultivation pool. Open the link within ${days} days to set your password.`,
    `${links.appUrl}/#/reset?token=${encodeURIComponent(token)}&invite=1`)
}

/** A firm's account handed over by an officer after the firm proved the credit code is its own. */
export function transferMail (firmName: string, token: string, days: number, links: MailLinks): MailContent {
  return compose(`“${firmName}”账户已移交给您`, 'Account transferred to you',
    `经核实，统一社会信用代码对应的企业账户“${firmName}”已移交给您，原账户已停用。请在 ${days} 天内打开下面的链接设置密码。`,
    `After verification, the account of ${firmName} was transferred to you and the earlier accounts disabled. Open the link within ${days} days to set a password.`,
    `${links.appUrl}/#/reset?token=${encodeURIComponent(token)}&invite=1`)
}

/** The objector's receipt: the reference to quote. */
export function objectionReceiptMail (reference: string, firmName: string, links: MailLinks): MailContent {
  return compose(`异议已受理（${reference}）`, `Objection received (${reference})`,
    `您对“${firmName}”入库公示提出的异议已受理，受理编号 ${reference}。核实结果将发送至本邮箱。`,
    `Your objection to the notice of ${firmName} was received; reference ${reference}. The outcome will be sent to this address.`,
    `${links.appUrl}/notices`)
}

/** The objector is told the outcome. */
export function objectionOutcomeMail (reference: string, firmName: string, outcome: 'upheld' | 'dismissed', links: MailLinks): MailContent {
  return compose(`异议处理结果（${reference}）`, `Objection outcome (${reference})`,
    `您对“${firmName}”入库公示提出的异议（受理编号 ${reference}）已处理：${outcome === 'upheld' ? '异议成立，该企业入库决定已撤销' : '经核实，异议不成立，公示结果维持'}。感谢您的监督。`,
    `Your objection ${reference} to the notice of ${firmName} was ${outcome === 'upheld' ? 'upheld: the admission is reversed' : 'dismissed: the notice stands'}.`,
    `${links.appUrl}/notices`)
}

/** A self-registration asks its address to be confirmed: the link works once. */
export function emailConfirmationMail (firmName: string, token: string, days: number, links: MailLinks): MailContent {
  return compose('请确认您的邮箱', 'Confirm your email address',
    `您已使用本邮箱为“${firmName}”注册培育库企业账户。请在 ${days} 天内打开下面的链接确认邮箱；确认后系统通知才会发送到本邮箱，` +
    `未确认的账户 ${days} 天后将无法登录（可通过“忘记密码”重新找回）。如非本人操作，请忽略本邮件。`,
    `This address was used to register ${firmName} in the cultivation pool. Open the link within ${days} days to confirm it; ` +
    'until then no notifications are emailed here. If this was not you, ignore this email.',
    `${links.appUrl}/#/confirm?token=${encodeURIComponent(token)}`)
}

/**
 * A registration with an address that already belongs to a confirmed
 * account: only the mailbox owner learns that, from this email.
 */
export function addressInUseMail (firmName: string, days: number, links: MailLinks): MailContent {
  return compose('本邮箱已有培育库账户', 'This address already has an account',
    `有人使用本邮箱为“${firmName}”注册了培育库企业账户，但本邮箱已属于一个已确认的账户，不能再确认给新的账户。` +
    `如果是您本人：请用原账户登录（忘记密码可申请重置），或改用其他邮箱注册；新注册的账户 ${days} 天后将无法登录。如非本人操作，请忽略本邮件。`,
    `Someone registered ${firmName} with this address, which already belongs to a confirmed account. If it was you, sign in with that account ` +
    '(or reset its password), or register with another address. If not, ignore this email.',
    `${links.appUrl}/#/login`)
}

/** An invitation to an address that already belongs to a confirmed account: it cannot join another firm. */
export function invitationAddressInUseMail (firmName: string, inviter: string, links: MailLinks): MailContent {
  return compose(`“${firmName}”的邀请无法接受`, 'Invitation cannot be accepted',
    `${inviter} 邀请您加入“${firmName}”的培育库账户，但本邮箱已属于另一个已确认的账户，一个邮箱只能用于一个账户。请邀请人改用您的其他邮箱。`,
    `${inviter} invited you to act for ${firmName}, but this address already belongs to another account; ask for an invitation to another address.`,
    `${links.appUrl}/#/login`)
}
