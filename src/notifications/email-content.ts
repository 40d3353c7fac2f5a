import type { PolicyFieldChange } from '../domain/organization/org-policy';
import type { RecoveryLapseReason } from '../domain/recovery/recovery.events';
import { isApproverRole } from '../domain/shared/roles';
import type { DemotionJobBase, EmailJob, HolderSummary, KeyRequestJobBase, PolicyJobBase, RecoveryJobBase, RevocationJobBase } from './email-job';
import { emailMessageId } from './email-job';
import type { EmailMessage } from './mail/mailer.port';

/** What an email says, before it is laid out as plain text and HTML. */
/** Text a user wrote (a reason), shown apart from the email's own: quoted lines in text, a bordered block in HTML. */
interface Quote {
  intro: string;
  lines: string[];
}

interface Content {
  subject: string;
  paragraphs: Array<string | Quote>;
  facts: Array<[label: string, value: string]>;
  nextSteps: string[];
}

/**
 * Writes a job's email. It names the org, the key fingerprint and what to do next, and holds
 * no secret, token or verification code: an approver must hear the code from the requester.
 */
export function renderEmail(job: EmailJob, from: string, date: Date): EmailMessage {
  const shown = spacesCollapsed(job);
  const content = contentOf(shown);
  return {
    messageId: emailMessageId(job, domainOf(from)),
    from,
    to: { name: shown.to.displayName, address: shown.to.email },
    subject: content.subject,
    text: asText(shown, content),
    html: asHtml(shown, content),
    date,
  };
}

type KeyRequestJob = Extract<EmailJob, KeyRequestJobBase>;
type RecoveryJob = Extract<EmailJob, RecoveryJobBase>;
type RevocationJob = Extract<EmailJob, RevocationJobBase>;
type DemotionJob = Extract<EmailJob, DemotionJobBase>;
type PolicyJob = Extract<EmailJob, PolicyJobBase>;

const contentOf = (job: EmailJob): Content =>
  'recovery' in job
    ? recoveryContent(job)
    : 'revocation' in job
      ? revocationContent(job)
      : 'demotion' in job
        ? demotionContent(job)
        : 'policyChange' in job
          ? policyContent(job)
          : keyRequestContent(job);

/**
 * R20: every ADMIN and SUPER_ADMIN hears of a break-glass recovery at once, halfway, and when it
 * is vetoed, completes or lapses, so a stolen operator token cannot be used quietly.
 */
function recoveryContent(job: RecoveryJob): Content {
  const org = job.org.name;
  const { agent, recoveryId, effectiveAt, claimBy, delayHours, withWorkingApprover } = job.recovery;
  // A removed agent's address is gone from the directory: their id stands in, with no address.
  const about: Content['facts'] = [
    ['Organization', org],
    ['Recovery', recoveryId],
    ['Restores the SUPER_ADMIN', agent.email ? `${agent.displayName} <${agent.email}>` : agent.displayName],
  ];
  const facts: Content['facts'] = [...about, ['Takes effect at', effectiveAt]];
  // Until it takes effect: by when its agent must have requested a key, or it lapses.
  const waiting: Content['facts'] = [...facts, ['Lapses unless claimed by', claimBy]];
  const claim = `If ${agent.displayName} has not requested a key by ${claimBy}, the recovery lapses without granting one.`;
  const veto = [
    `If you did not expect this recovery, veto it now with your ACTIVE key: \`ztkeys recovery veto\` (or POST /v1/orgs/${job.org.orgId}/recoveries/${recoveryId}/veto). Any ADMIN or SUPER_ADMIN with an active key can.`,
    `Check with ${agent.displayName} and your platform operator, over a channel you already trust, that they asked for it.`,
  ];
  switch (job.kind) {
    case 'RECOVERY_STARTED':
      return {
        subject: `[${org}] Break-glass recovery started: ${agent.displayName} gets a key without approval at ${effectiveAt}`,
        paragraphs: [
          `The platform operator started a break-glass recovery of ${org} for ${agent.displayName}. Unless an ADMIN or SUPER_ADMIN with an active key vetoes it, their next key request is granted without approval in ${delayHours} hours.`,
          ...(withWorkingApprover ? ['An approver of the organization still has an active key, so the delay is twice the policy\'s.'] : []),
          claim,
        ],
        facts: waiting,
        nextSteps: veto,
      };
    case 'RECOVERY_REMINDER':
      return {
        subject: `[${org}] Reminder: break-glass recovery for ${agent.displayName} takes effect at ${effectiveAt}`,
        paragraphs: [`A break-glass recovery of ${org} for ${agent.displayName} is halfway through its ${delayHours}-hour delay and has not been vetoed.`, claim],
        facts: waiting,
        nextSteps: veto,
      };
    case 'RECOVERY_VETOED':
      return {
        subject: `[${org}] Break-glass recovery for ${agent.displayName} was vetoed`,
        paragraphs: [`${job.vetoedBy.displayName} vetoed the break-glass recovery of ${org} for ${agent.displayName}: it will not take effect.`],
        facts: [...facts, ['Vetoed by', job.vetoedBy.displayName]],
        nextSteps: [`Nothing to do, unless the organization is really locked out: then the operator may start a new recovery.`],
      };
    case 'RECOVERY_COMPLETED':
      return {
        subject: `[${org}] Break-glass recovery completed: ${agent.displayName} holds an active key`,
        paragraphs: [`The break-glass recovery of ${org} took effect: the key request of ${agent.displayName} was granted with mode RECOVERY, without approval.`],
        facts,
        nextSteps: [
          `${agent.displayName} can now approve the key requests of the other agents.`,
          `If you did not expect this, revoke that key at once and tell your platform operator.`,
        ],
      };
    case 'RECOVERY_LAPSED':
      return { ...lapseContent(job.reason, agent.displayName, org, effectiveAt), facts: [...about, ['Lapsed because', LAPSED_BECAUSE[job.reason]]] };
  }
}

const LAPSED_BECAUSE: Record<RecoveryLapseReason, string> = {
  AGENT_DEMOTED: 'demoted from SUPER_ADMIN',
  AGENT_REMOVED: 'removed from the organization',
  UNCLAIMED: 'no key request within its claim window',
};

/**
 * Why a recovery ended without a grant: a directory change (whoever made it is in the audit
 * log), or its agent never claimed it, which a recovery started for the wrong person, or by a
 * thief of the operator's token who could not also request a key as that agent, looks like.
 */
function lapseContent(reason: RecoveryLapseReason, name: string, org: string, effectiveAt: string): Omit<Content, 'facts'> {
  const again = `If the organization is still locked out, the operator may start a new recovery, for an agent who is a SUPER_ADMIN now.`;
  if (reason === 'UNCLAIMED') {
    return {
      subject: `[${org}] Break-glass recovery for ${name} lapsed: no key request claimed it`,
      paragraphs: [
        `The break-glass recovery of ${org} for ${name} took effect at ${effectiveAt}, but ${name} requested no key before its claim window (the policy's request expiry) ended, so it ended without granting a key.`,
        `A key request ${name} makes from now on waits for an approver, like any other.`,
      ],
      nextSteps: [again, `If nobody asked for this recovery, tell your platform operator: someone may hold their bootstrap token.`],
    };
  }
  const [what, done] = reason === 'AGENT_REMOVED' ? ['was removed from', 'removed'] : ['is no longer a SUPER_ADMIN of', 'demoted'];
  return {
    subject: `[${org}] Break-glass recovery for ${name} lapsed: no longer a SUPER_ADMIN`,
    paragraphs: [`${name} ${what} ${org} while the break-glass recovery restoring them waited, so it ended without granting a key.`],
    nextSteps: [again, `If you did not expect ${name} to be ${done}, look in the audit log for who changed the directory, and tell your platform operator.`],
  };
}

/**
 * A key revoked by someone other than its holder: the holder hears who did it, when and why, and
 * when it was an approver's key, so does every approver still holding one, with how many do (one
 * ADMIN who revokes the others' keys approves alone, see README "Why it cannot lock an org out").
 */
function revocationContent(job: RevocationJob): Content {
  const org = job.org.name;
  const { holder, holderRole, reasonCode, reason, revokedBy, approversWithActiveKey: left } = job.revocation;
  const approver = isApproverRole(holderRole);
  // An admin's revocation leaves the holder's role as it was.
  const stillApprover = approver && reasonCode === 'REVOKED_BY_ADMIN';
  const facts = holderFacts(job, job.revocation, [
    ['Revoked by', revokedBy.displayName],
    ['Revoked at', job.occurredAt],
    ['Reason code', reasonCode],
  ]);
  const why = quote('Reason recorded, as written:', reason);
  if (job.kind === 'KEY_REVOKED') {
    return {
      subject: `[${org}] Your signature key was revoked by ${revokedBy.displayName}`,
      paragraphs: [
        reasonCode === 'REVOKED_BY_ADMIN'
          ? `${revokedBy.displayName} revoked your signature key in ${org} at ${job.occurredAt}. It signs nothing any more.`
          : `${revokedBy.displayName} ${reasonCode === 'AGENT_REMOVED' ? 'removed you from' : 'made you an AUDITOR, who holds no key, in'} ${org} at ${job.occurredAt}, which revoked your signature key. It signs nothing any more.`,
        why,
        ...(!approver ? [] : stillApprover ? [`You are an approver (${holderRole}) of ${org}, and approve nothing without an active key. ${capNow(left, org)}`] : [wereApprover(job.revocation, org)]),
      ],
      facts,
      nextSteps: [
        unexpectedToHolder(org),
        // R9: revoking takes power away, so it needs no key of one's own.
        ...(stillApprover ? [`As an approver you may revoke a key without holding one: if ${revokedBy.displayName} should not have done this, revoke their key at once (\`ztkeys keys revoke ${revokedBy.agentId} --reason <text>\`).`] : []),
        reasonCode === 'AGENT_REMOVED'
          ? `If it was expected, there is nothing to do: you are no longer an agent of ${org}.`
          : `If it was expected and you need a key, request a new one from your ztkeys client; it needs approval like any other.`,
      ],
    };
  }
  return {
    subject: `[${org}] ${holder.displayName}'s signature key was revoked by ${revokedBy.displayName}: ${stillHold(left)}`,
    paragraphs: [
      reasonCode === 'REVOKED_BY_ADMIN'
        ? `${revokedBy.displayName} revoked the signature key of ${holder.displayName}, ${holderRole} of ${org}, at ${job.occurredAt}.`
        : `${revokedBy.displayName} ${reasonCode === 'AGENT_REMOVED' ? 'removed' : 'made an AUDITOR'} ${holder.displayName}, ${holderRole} of ${org}, at ${job.occurredAt}, which revoked their signature key.`,
      why,
      `${capNow(left, org)} You are one of them.`,
    ],
    facts,
    nextSteps: toApproversLeft(org, holder.displayName, revokedBy.displayName, 'KeyRevoked', "an approver who revokes the other approvers' keys"),
  };
}

/**
 * An approver holding an ACTIVE key made a MEMBER by someone else: M-of-N's cap is lowered as by
 * a revocation of that key (a SUPER_ADMIN who demotes the other approvers approves alone), so the
 * same people hear of it, the same way; the key stays active, as a member's.
 */
function demotionContent(job: DemotionJob): Content {
  const org = job.org.name;
  const { holder, holderRole, demotedBy, approversWithActiveKey: left } = job.demotion;
  const facts = holderFacts(job, job.demotion, [
    ['Made a MEMBER by', demotedBy.displayName],
    ['Made a MEMBER at', job.occurredAt],
  ]);
  const stays = `signature key stays ACTIVE, as a MEMBER's, and approves no key request any more`;
  if (job.kind === 'DEMOTED_TO_MEMBER') {
    return {
      subject: `[${org}] You were made a MEMBER by ${demotedBy.displayName}: you approve no key request any more`,
      paragraphs: [`${demotedBy.displayName} made you a MEMBER of ${org} at ${job.occurredAt}: your ${stays}.`, wereApprover(job.demotion, org)],
      facts,
      nextSteps: [unexpectedToHolder(org), `If it was expected, there is nothing to do: your key signs your sensitive tasks as before.`],
    };
  }
  return {
    subject: `[${org}] ${holder.displayName} was made a MEMBER by ${demotedBy.displayName}: ${stillHold(left)}`,
    paragraphs: [
      `${demotedBy.displayName} made ${holder.displayName}, ${holderRole} of ${org}, a MEMBER at ${job.occurredAt}: their ${stays}.`,
      `${capNow(left, org)} You are one of them.`,
    ],
    facts,
    nextSteps: toApproversLeft(org, holder.displayName, demotedBy.displayName, 'AgentRoleChanged', 'a SUPER_ADMIN who makes the other approvers MEMBERs'),
  };
}

/** What an email about a key's holder states: whose key, what changed, and for an approver, how many approvers still hold a key. */
function holderFacts(job: RevocationJob | DemotionJob, summary: HolderSummary, change: Content['facts']): Content['facts'] {
  const { holder, holderRole, fingerprint, approversWithActiveKey } = summary;
  return [
    ['Organization', job.org.name],
    ['Key fingerprint (SHA-256)', fingerprint],
    ['Held by', `${holder.displayName} <${holder.email}> (${holderRole})`],
    ...change,
    ...(isApproverRole(holderRole) ? [['Approvers with an active key', String(approversWithActiveKey)] as [string, string]] : []),
  ];
}

const stillHold = (left: number): string => `${left} approver${left === 1 ? ' still holds' : 's still hold'} an active key`;

/** M-of-N's cap: what a pending request can ask once an approver's key or role is gone. */
const capNow = (left: number, org: string): string =>
  `${stillHold(left)} in ${org} now. A pending key request needs the approvals the policy asks for, but never more than the approvers with an active key other than its requester: with fewer keys, fewer approvals activate a key, down to one.`;

const wereApprover = ({ holderRole, approversWithActiveKey }: HolderSummary, org: string): string =>
  `You were an approver (${holderRole}) of ${org}. ${capNow(approversWithActiveKey, org)}`;

const unexpectedToHolder = (org: string): string =>
  `If you did not expect this, contact a SUPER_ADMIN of ${org}, and your platform operator, over a channel you already trust (not by replying to this email): someone may be taking over the approvals of ${org}.`;

/** What the approvers still holding a key do when another approver's key or role is gone: the audit log's `events` show who took it, and `soloist` who then approves alone. */
const toApproversLeft = (org: string, holder: string, by: string, events: string, soloist: string): string[] => [
  `If you did not expect this, ask ${holder} and ${by} why, over a channel you already trust (not by replying to this email).`,
  `Look at the pending key requests of ${org} and at the ${events} events of its audit log: ${soloist} can approve a key alone. If ${by} should not have done this, revoke their key and tell your platform operator.`,
];

/**
 * A policy change that weakens a safeguard, told to every approver holding a key (a SUPER_ADMIN
 * who lowers a threshold can approve a key alone and raise it back), and to its signer, whose key
 * and token may be someone else's. Every value is the event's, never the caller's text.
 */
function policyContent(job: PolicyJob): Content {
  const org = job.org.name;
  const { changedBy, changes } = job.policyChange;
  const weakened = changes.filter((change) => change.weakens);
  const what = weakened.map(({ field, from, to }) => `${field} from ${String(from)} to ${String(to)}`).join(', ');
  const facts: Content['facts'] = [
    ['Organization', org],
    ['Changed by', changedBy.displayName],
    ['Changed at', job.occurredAt],
    ...changes.map(({ field, from, to, weakens }): [string, string] => [field, `${String(from)} -> ${String(to)}${weakens ? ' (weakens)' : ''}`]),
  ];
  const meaning = weakened.map(weakenedMeaning).join('\n');
  const undo = `A SUPER_ADMIN may change the policy alone, and change it back: one who lowers a threshold can approve a key alone and raise it again, and the audit log alone would show it.`;
  if (job.kind === 'POLICY_WEAKENED_BY_YOU') {
    return {
      subject: `[${org}] You weakened the policy: ${what}`,
      paragraphs: [`You changed the policy of ${org} at ${job.occurredAt}, with a decision signed by your active key. From now on:\n${meaning}`, `${undo} So every other approver holding an active key was told of it too.`],
      facts,
      nextSteps: [
        `If you did not make this change, someone holds your key and your token: revoke your key at once (\`ztkeys keys revoke ${changedBy.agentId} --reason <text>\`), ask another approver to look at the keys approved since, and tell your platform operator.`,
        `If you did, there is nothing to do.`,
      ],
    };
  }
  return {
    subject: `[${org}] ${changedBy.displayName} weakened the policy: ${what}`,
    paragraphs: [`${changedBy.displayName} changed the policy of ${org} at ${job.occurredAt}, with a decision signed by their active key. From now on:\n${meaning}`, `${undo} You are told because you hold an approver's active key.`],
    facts,
    nextSteps: [
      `If you did not expect this, ask ${changedBy.displayName} why, over a channel you already trust (not by replying to this email).`,
      `Look at the keys of ${org} approved since, and at the OrgPolicyChanged events of its audit log. If ${changedBy.displayName} should not have done this, revoke their key (\`ztkeys keys revoke ${changedBy.agentId} --reason <text>\`) and tell your platform operator.`,
    ],
  };
}

const approvals = (n: PolicyFieldChange['to']): string => `${String(n)} approval${n === 1 ? '' : 's'}`;

/** What a weakened field lets happen, in one line. */
function weakenedMeaning({ field, from, to }: PolicyFieldChange): string {
  switch (field) {
    case 'memberKeyApprovals':
      return `  - a MEMBER's key is activated by ${approvals(to)}, where it took ${approvals(from)};`;
    case 'adminKeyApprovals':
      return `  - an ADMIN's or SUPER_ADMIN's key is activated by ${approvals(to)}, where it took ${approvals(from)};`;
    case 'recoveryDelayHours':
      return `  - a break-glass recovery started from now on takes effect ${String(to)} hours after it starts, where it took ${String(from)}: the approvers have that long to veto it (one running keeps its delay);`;
    default:
      return `  - ${field} is ${String(to)}, where it was ${String(from)};`;
  }
}

function keyRequestContent(job: KeyRequestJob): Content {
  const org = job.org.name;
  const { requester, fingerprint, replacesFingerprint, requestId } = job.request;
  const facts: Content['facts'] = [
    ['Organization', org],
    ['Request', requestId],
    ['Key fingerprint (SHA-256)', fingerprint],
    ...(replacesFingerprint ? [['Replaces key', replacesFingerprint] as [string, string]] : []),
  ];
  switch (job.kind) {
    case 'KEY_REQUEST_WAITING':
      return {
        subject: `[${org}] ${requester.displayName} asks for a signature key: your approval is needed`,
        paragraphs: [
          `${requester.displayName} <${requester.email}> asked for a ${replacesFingerprint ? 'new signature key to replace their current one' : 'signature key'} in ${org}. An ADMIN or SUPER_ADMIN with an active key must approve or reject it.`,
        ],
        facts: [['Requested by', `${requester.displayName} <${requester.email}>`], ...facts],
        nextSteps: [
          `Contact ${requester.displayName} over a channel you already trust (phone, video call, in person), not by replying to this email.`,
          `Ask them to read you the verification code their ztkeys client shows for this request. This email does not hold it on purpose: the code must come from ${requester.displayName}.`,
          `In the pending key requests of ${org}, check that the fingerprint is the one above, then approve with the code you were told.`,
          `If ${requester.displayName} did not ask for a key, or the code does not match, reject the request.`,
        ],
      };
    case 'KEY_APPROVED':
      return {
        subject: `[${org}] Your signature key is active`,
        paragraphs: [
          job.mode === 'FIRST_KEY'
            ? `Your signature key is the first key of ${org}, so it was approved at once, without an admin.`
            : job.mode === 'ROTATION'
              ? `Your new signature key in ${org} was approved with your current key, since no other admin had an active key.`
              : job.mode === 'RECOVERY'
                ? `Your signature key in ${org} was granted by a break-glass recovery that no approver vetoed.`
                : `${job.approvedBy?.displayName ?? 'An admin'} approved your signature key in ${org}.`,
          `The key is now ACTIVE.${replacesFingerprint ? ' Your previous key is revoked and signs nothing any more.' : ''}`,
        ],
        facts: [...facts, ...(job.approvedBy ? [['Approved by', job.approvedBy.displayName] as [string, string]] : [])],
        nextSteps: [
          `Check that the fingerprint above is the one your ztkeys client shows for your key.`,
          `You can now authorize sensitive tasks in ${org} with this key. Keep the private key on your device: ztkeys never asks for it.`,
          `If you did not ask for this key, or think its private key was copied, ask an ADMIN of ${org} to revoke it at once.`,
        ],
      };
    case 'KEY_REJECTED':
      return {
        subject: `[${org}] Your key request was rejected`,
        paragraphs: [
          `${job.rejectedBy.displayName} rejected your request for a signature key in ${org}.`,
          job.reason ? quote(`Reason given by ${job.rejectedBy.displayName}, as written:`, job.reason) : 'No reason was given.',
        ],
        facts: [...facts, ['Rejected by', job.rejectedBy.displayName]],
        nextSteps: [
          `Ask ${job.rejectedBy.displayName} why, over a channel you trust.`,
          `When it is sorted out, request a key again from your ztkeys client; the new request needs a new approval.`,
        ],
      };
    case 'KEY_REQUEST_LOCKED':
      return {
        subject: `[${org}] Your key request is locked`,
        paragraphs: [
          `Your request for a signature key in ${org} was locked after ${job.failedAttempts} wrong verification codes were entered while approving it. It can no longer be approved.`,
        ],
        facts,
        nextSteps: [
          `Make sure the approver hears the code from you, read from your own ztkeys client: a wrong code can mean that someone swapped the key.`,
          `Request a key again from your ztkeys client; the new request gets a new code.`,
          `If you did not ask for a key, tell an ADMIN of ${org}.`,
        ],
      };
    case 'KEY_REQUEST_REMINDER':
      return {
        subject: `[${org}] Reminder: ${requester.displayName} has waited ${job.waitingHours} hours for your approval`,
        paragraphs: [
          `${requester.displayName} <${requester.email}> asked for a signature key in ${org} ${job.waitingHours} hours ago and the request is still waiting. Unless it is decided, it expires.`,
        ],
        facts: [['Requested by', `${requester.displayName} <${requester.email}>`], ...facts],
        nextSteps: [
          `Contact ${requester.displayName} over a channel you already trust and ask them to read you the verification code their ztkeys client shows.`,
          `In the pending key requests of ${org}, check the fingerprint above, then approve with that code, or reject the request.`,
        ],
      };
    case 'KEY_REQUEST_EXPIRED':
      return {
        subject: `[${org}] Your key request expired`,
        paragraphs: [
          `Your request for a signature key in ${org} waited ${job.expiryHours} hours without a decision, the limit the organization's policy sets, and expired. It can no longer be approved.`,
        ],
        facts,
        nextSteps: [
          `Request a key again from your ztkeys client when an approver can decide on it; the new request gets a new code.`,
          `If you did not ask for a key, tell an ADMIN of ${org}.`,
        ],
      };
  }
}

/** A removed agent is told of their key too (KEY_REVOKED): they were an agent. */
const footer = (job: EmailJob): string =>
  `You get this email because you ${'revocation' in job && job.to.agentId === job.revocation.holder.agentId && job.revocation.reasonCode === 'AGENT_REMOVED' ? 'were' : 'are'} an agent of ${job.org.name} in ztkeys. It never holds a secret, token or verification code.`;

function asText(job: EmailJob, content: Content): string {
  const width = Math.max(...content.facts.map(([label]) => label.length)) + 1;
  return [
    `Hello ${job.to.displayName},`,
    ...content.paragraphs.map((paragraph) =>
      typeof paragraph === 'string' ? paragraph : [paragraph.intro, ...paragraph.lines.map((line) => (line === '' ? '  |' : `  | ${line}`))].join('\n'),
    ),
    content.facts.map(([label, value]) => `  ${`${label}:`.padEnd(width)} ${value}`).join('\n'),
    ['What to do next:', ...content.nextSteps.map((step, i) => `  ${i + 1}. ${step}`)].join('\n'),
    `-- \n${footer(job)}`,
  ].join('\n\n') + '\n';
}

function asHtml(job: EmailJob, content: Content): string {
  const rows = content.facts
    .map(([label, value]) => `<tr><th align="left">${escape(label)}</th><td><code>${escape(value)}</code></td></tr>`)
    .join('');
  return [
    '<!doctype html><html><body>',
    `<p>Hello ${escape(job.to.displayName)},</p>`,
    // pre-wrap: the email's own lines, and a quote's, kept in HTML too; a quote's wrapped lines stay inside its border.
    ...content.paragraphs.map((paragraph) =>
      typeof paragraph === 'string'
        ? `<p style="white-space: pre-wrap">${escape(paragraph)}</p>`
        : `<p>${escape(paragraph.intro)}</p><blockquote style="margin: 0 0 1em; padding-left: 0.75em; border-left: 3px solid #999; white-space: pre-wrap">${escape(paragraph.lines.join('\n'))}</blockquote>`,
    ),
    `<table>${rows}</table>`,
    `<h3>What to do next</h3><ol>${content.nextSteps.map((step) => `<li>${escape(step)}</li>`).join('')}</ol>`,
    `<hr><p><small>${escape(footer(job))}</small></p>`,
    '</body></html>',
  ].join('\n');
}

/**
 * Every text of a job with each run of spaces or tabs after a word as one space: a display name
 * may hold a run of 120 (the API takes it), which put what followed it on a line of its own once a
 * reader wrapped the line, as if the email said it. A line's indent (a reason's) is left to quote.
 */
function spacesCollapsed<T>(value: T): T {
  if (typeof value === 'string') return value.replace(/(?<=\S)[^\S\n]+/g, ' ') as T;
  if (Array.isArray(value)) return value.map(spacesCollapsed) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, spacesCollapsed(field)])) as T;
  return value;
}

/** Columns of a quoted line, its mark aside: with it, within the 78 that mail readers show unwrapped. */
const QUOTE_WIDTH = 72;

/**
 * A reason is the one text of an email that keeps its line breaks: each of its lines is marked as
 * quoted, so that none can pass for the email's own layout (a "What to do next:" of its own). A line
 * a reader would wrap starts a line without the mark: its runs of spaces are one already
 * (spacesCollapsed), its indent at most 4, and a line longer than QUOTE_WIDTH is wrapped here,
 * each part marked.
 */
function quote(intro: string, text: string): Quote {
  const lines = text.split('\n').flatMap((line) => {
    const indent = /^\s*/.exec(line)![0].replace(/\t/g, '  ').slice(0, 4).replace(/\s/g, ' ');
    return wrapped(indent + line.trimStart(), indent.length);
  });
  return { intro, lines };
}

/** `line` in parts of QUOTE_WIDTH at most, cut at the last space past its indent, else within a word. */
function wrapped(line: string, indent: number): string[] {
  const parts: string[] = [];
  let rest = line;
  while (rest.length > QUOTE_WIDTH) {
    const space = rest.lastIndexOf(' ', QUOTE_WIDTH);
    const cut = space > indent ? space : QUOTE_WIDTH;
    parts.push(rest.slice(0, cut));
    rest = rest.slice(space > indent ? cut + 1 : cut);
  }
  return [...parts, rest];
}

/** Names, emails and reasons are user input: never markup. */
const escape = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Domain of the sender address, for Message-IDs: "ztkeys <no-reply@example.com>" gives "example.com". */
const domainOf = (from: string): string => /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'ztkeys.invalid';
