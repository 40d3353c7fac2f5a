import { browserDecider } from '../../src/domain/browser/browser.decider';
import { revisionNamed } from '../../src/domain/browser/browser.state';
import type { BrowserCommand } from '../../src/domain/browser/browser.commands';
import type { BrowserEvent, PromptFrequency, SensitiveTaskRefused } from '../../src/domain/browser/browser.events';
import type { ActiveKey } from '../../src/domain/shared/actor';
import type { Role } from '../../src/domain/shared/roles';
import type { ChallengeFields, SignedProof } from '../../src/domain/shared/signed-proof';
import { asActiveKey, challengeFields, generateKeyPair, signedProof, type TestKeyPair } from '../support/ed25519-keys';
import { given, history } from './given-when-then';
import { HOUR, MINUTE, ORG, T0, at } from './key-fixtures';

const key = generateKeyPair();
const newKey = generateKeyPair();
const ACTIVE = asActiveKey(key, 'r1');
const NEW_ACTIVE = asActiveKey(newKey, 'r2');
const DAY = 24 * HOUR;
const WEEK = 168 * HOUR;
const TASK = 'remote-control:device-42';

interface Options {
  now?: string;
  browserId?: string;
  /** The agent's ACTIVE key as the handler passes it; null: none. */
  activeKey?: ActiveKey | null;
  /** The agent's role now; MEMBER unless given. */
  role?: Role;
  signer?: TestKeyPair;
  fields?: Partial<ChallengeFields>;
  proof?: SignedProof;
}

const proofFor = (fields: Partial<ChallengeFields> & Pick<ChallengeFields, 'purpose'>, options: Options): SignedProof =>
  options.proof ??
  signedProof(
    options.signer ?? key,
    challengeFields({ orgId: ORG, agentId: 'carol', issuedAt: options.now ?? T0, browserId: options.browserId ?? 'laptop', ...fields, ...options.fields }),
  );
const activeKeyOf = (options: Options): { activeKey?: ActiveKey } =>
  options.activeKey === null ? {} : { activeKey: options.activeKey ?? ACTIVE };
const base = (options: Options) => ({
  orgId: ORG,
  agentId: 'carol',
  browserId: options.browserId ?? 'laptop',
  role: options.role ?? ('MEMBER' as const),
  now: options.now ?? T0,
});

const setFrequency = (frequency: PromptFrequency, options: Options = {}): BrowserCommand => ({
  type: 'SetPromptFrequency',
  ...base(options),
  frequency,
  proof: proofFor({ purpose: 'PROMPT_FREQUENCY', frequency }, options),
  ...activeKeyOf(options),
});
const signedTask = (options: Options = {}): BrowserCommand => ({
  type: 'AuthorizeSensitiveTask',
  ...base(options),
  task: TASK,
  proof: proofFor({ purpose: 'SENSITIVE_TASK', task: TASK }, options),
  ...activeKeyOf(options),
});
const unsignedTask = (options: Options = {}): BrowserCommand => ({ type: 'AuthorizeSensitiveTask', ...base(options), task: TASK, ...activeKeyOf(options) });
const logout = (options: Options = {}): BrowserCommand => ({ type: 'LogOutOfBrowser', ...base(options) });

const run = (commands: BrowserCommand[], given: BrowserEvent[] = []): BrowserEvent[] => history(browserDecider, commands, given);
const browser = (events: BrowserEvent[] = []) => given(browserDecider, events);
const refused = (reason: SensitiveTaskRefused['data']['reason']): BrowserEvent[] => [
  { type: 'SensitiveTaskRefused', data: { agentId: 'carol', browserId: 'laptop', task: TASK, reason } },
];
const remembered = (validUntil: string): BrowserEvent[] => [
  { type: 'SensitiveTaskAuthorized', data: { agentId: 'carol', browserId: 'laptop', task: TASK, method: 'REMEMBERED', keyFingerprint: key.fingerprint, validUntil } },
];

describe('browser decider', () => {
  describe('SetPromptFrequency (R10)', () => {
    it('records the signed change, with the key that signed and when', () => {
      const command = setFrequency('DAILY');
      if (command.type !== 'SetPromptFrequency') throw new Error('unreachable');
      browser().when(command).thenEvents([
        {
          type: 'PromptFrequencyChanged',
          data: {
            agentId: 'carol',
            browserId: 'laptop',
            frequency: 'DAILY',
            previous: 'EVERY_TASK',
            reason: 'SET',
            keyFingerprint: key.fingerprint,
            proof: { statement: command.proof.statement, signature: command.proof.signature, publicKey: key.publicKey },
            signedAt: T0,
          },
        },
      ]);
    });

    it('reports the frequency in force before: reset by a key change', () => {
      const daily = run([setFrequency('DAILY')]);
      expect(browser(daily).when(setFrequency('WEEKLY')).events()[0].data).toMatchObject({ previous: 'DAILY' });
      const [changed] = browser(daily).when(setFrequency('WEEKLY', { activeKey: NEW_ACTIVE, signer: newKey })).events();
      expect(changed.data).toMatchObject({ previous: 'EVERY_TASK', keyFingerprint: newKey.fingerprint });
    });

    it('refuses an agent without an ACTIVE key', () => {
      browser().when(setFrequency('DAILY', { activeKey: null })).thenRefused('CONFLICT', 'NO_ACTIVE_KEY');
    });

    it('refuses a signature by a revoked key', () => {
      browser().when(setFrequency('DAILY', { activeKey: NEW_ACTIVE, signer: key })).thenRefused('UNPROCESSABLE', 'INVALID_SIGNATURE');
    });

    it.each([
      ['another frequency', { frequency: 'WEEKLY' }, 'frequency'],
      ['another browser', { browserId: 'phone' }, 'browserId'],
      ['another purpose', { purpose: 'SENSITIVE_TASK' as const }, 'purpose'],
      ['another agent', { agentId: 'mallory' }, 'agentId'],
      ['another org', { orgId: 'globex' }, 'orgId'],
    ])('refuses a challenge issued for %s', (_, fields, field) => {
      browser().when(setFrequency('DAILY', { fields })).thenRefused('UNPROCESSABLE', 'CHALLENGE_MISMATCH', { field });
    });

    it('refuses an expired challenge and a replayed one', () => {
      browser().when(setFrequency('DAILY', { now: at(7 * MINUTE), fields: { issuedAt: T0 } })).thenRefused('UNPROCESSABLE', 'CHALLENGE_EXPIRED');
      const first = setFrequency('DAILY');
      browser(run([first])).when({ ...first, now: at(MINUTE) }).thenRefused('UNPROCESSABLE', 'CHALLENGE_REPLAYED');
    });
  });

  describe('LogOutOfBrowser (R10)', () => {
    it('resets the browser to EVERY_TASK', () => {
      browser(run([setFrequency('WEEKLY')]))
        .when(logout({ now: at(HOUR) }))
        .thenEvents([
          { type: 'PromptFrequencyChanged', data: { agentId: 'carol', browserId: 'laptop', frequency: 'EVERY_TASK', previous: 'WEEKLY', reason: 'LOGOUT' } },
        ]);
    });

    it('records nothing for a logout right after a logout (a retry), and again once a signature was made since', () => {
      browser(run([setFrequency('DAILY'), logout({ now: at(HOUR) })]))
        .when(logout({ now: at(2 * HOUR) }))
        .thenEvents([]);
      const signedSince = run([logout({ now: at(HOUR) }), signedTask({ now: at(2 * HOUR) })]);
      browser(signedSince)
        .when(logout({ now: at(3 * HOUR) }))
        .thenEvents([{ type: 'PromptFrequencyChanged', data: { agentId: 'carol', browserId: 'laptop', frequency: 'EVERY_TASK', previous: 'EVERY_TASK', reason: 'LOGOUT' } }]);
    });

    it('forgets the remembered signature', () => {
      const loggedOut = run([setFrequency('DAILY'), logout({ now: at(HOUR) })]);
      browser(loggedOut).when(unsignedTask({ now: at(2 * HOUR) })).thenEvents(refused('PROMPT_REQUIRED'));
    });

    it('leaves the other browsers as they are', () => {
      const laptop = run([setFrequency('DAILY')]);
      const phone = run([setFrequency('WEEKLY', { browserId: 'phone' }), logout({ browserId: 'phone', now: at(HOUR) })]);
      expect(phone[1].data).toMatchObject({ browserId: 'phone', reason: 'LOGOUT' });
      browser(laptop).when(unsignedTask({ now: at(2 * HOUR) })).thenEvents(remembered(at(DAY)));
    });

    it('refuses an AUDITOR, who changes nothing (R18), writing nothing', () => {
      browser(run([setFrequency('WEEKLY')])).when(logout({ role: 'AUDITOR', now: at(HOUR) })).thenRefused('FORBIDDEN', 'AUDITOR_CANNOT_HOLD_KEY');
    });
  });

  describe('an AUDITOR signs nothing (R18)', () => {
    it('records the refusal of a sensitive task (403), signed by a key they still hold or not, even inside a remembered window', () => {
      const remembering = run([setFrequency('WEEKLY')]);
      for (const command of [signedTask({ role: 'AUDITOR', now: at(MINUTE) }), unsignedTask({ role: 'AUDITOR', now: at(MINUTE) })]) {
        browser(remembering).when(command).thenEvents(refused('AUDITOR_CANNOT_HOLD_KEY'));
        expect(browser(remembering).when(command).refusal()).toMatchObject({ kind: 'FORBIDDEN', code: 'AUDITOR_CANNOT_HOLD_KEY', details: { promptRequired: false } });
      }
    });

    it('refuses a prompt-frequency change, writing nothing', () => {
      browser().when(setFrequency('DAILY', { role: 'AUDITOR' })).thenRefused('FORBIDDEN', 'AUDITOR_CANNOT_HOLD_KEY');
    });
  });

  describe('AuthorizeSensitiveTask (R11)', () => {
    it('records a refusal when the agent has no ACTIVE key, signed or not', () => {
      browser().when(unsignedTask({ activeKey: null })).thenEvents(refused('NO_ACTIVE_KEY'));
      expect(browser().when(unsignedTask({ activeKey: null })).refusal()).toMatchObject({
        kind: 'UNAUTHORIZED',
        code: 'NO_ACTIVE_KEY',
        details: { promptRequired: false },
      });
      browser().when(signedTask({ activeKey: null })).thenEvents(refused('NO_ACTIVE_KEY'));
    });

    it('authorizes a fresh signature, valid for this task only under EVERY_TASK', () => {
      const command = signedTask({ now: at(MINUTE) });
      if (command.type !== 'AuthorizeSensitiveTask') throw new Error('unreachable');
      browser().when(command).thenEvents([
        {
          type: 'SensitiveTaskAuthorized',
          data: {
            agentId: 'carol',
            browserId: 'laptop',
            task: TASK,
            method: 'SIGNATURE',
            keyFingerprint: key.fingerprint,
            validUntil: at(MINUTE),
            proof: { statement: command.proof!.statement, signature: command.proof!.signature, publicKey: key.publicKey },
            signedAt: at(MINUTE),
          },
        },
      ]);
    });

    it.each([
      ['DAILY', DAY],
      ['WEEKLY', WEEK],
    ] as const)('opens a %s window with a fresh signature', (frequency, window) => {
      const [authorized] = browser(run([setFrequency(frequency)])).when(signedTask({ now: at(HOUR) })).events();
      expect(authorized.data).toMatchObject({ method: 'SIGNATURE', validUntil: at(HOUR + window) });
    });

    it('records a refusal for a signature that does not verify, a revoked key included', () => {
      browser().when(signedTask({ signer: newKey })).thenEvents(refused('INVALID_SIGNATURE'));
      expect(browser().when(signedTask({ signer: newKey })).refusal()).toMatchObject({ code: 'INVALID_SIGNATURE', details: { promptRequired: true } });
      browser(run([setFrequency('DAILY')])).when(signedTask({ activeKey: NEW_ACTIVE, signer: key, now: at(HOUR) })).thenEvents(refused('INVALID_SIGNATURE'));
    });

    it.each([
      ['another task', { task: 'delete-everything' }, 'task'],
      ['another browser', { browserId: 'phone' }, 'browserId'],
      ['another purpose', { purpose: 'PROMPT_FREQUENCY' as const }, 'purpose'],
      ['another agent', { agentId: 'mallory' }, 'agentId'],
      ['another org', { orgId: 'globex' }, 'orgId'],
    ])('refuses (writing nothing) a challenge issued for %s', (_, fields, field) => {
      browser().when(signedTask({ fields })).thenRefused('UNPROCESSABLE', 'CHALLENGE_MISMATCH', { field });
    });

    it('says so when the task differs from the challenge\'s only in its Unicode normalization, which prints the same', () => {
      const composed = { ...signedTask({ fields: { task: 'caf\u00e9' } }), task: 'cafe\u0301' };
      const refusal = browser().when(composed).thenRefused('UNPROCESSABLE', 'CHALLENGE_MISMATCH', { field: 'task', expected: 'cafe\u0301', actual: 'caf\u00e9' });
      expect(refusal.message).toContain('the two differ only in their Unicode normalization, which prints them alike: the challenge holds "caf\\u00e9", this command "cafe\\u0301"');
    });

    it('refuses (writing nothing) an expired challenge and a replayed one', () => {
      browser().when(signedTask({ now: at(7 * MINUTE), fields: { issuedAt: T0 } })).thenRefused('UNPROCESSABLE', 'CHALLENGE_EXPIRED');
      const first = signedTask();
      browser(run([first])).when({ ...first, now: at(MINUTE) }).thenRefused('UNPROCESSABLE', 'CHALLENGE_REPLAYED');
    });

    it('asks for a signature under EVERY_TASK, the default', () => {
      browser().when(unsignedTask()).thenEvents(refused('PROMPT_REQUIRED'));
      browser(run([signedTask()])).when(unsignedTask({ now: at(1) })).thenEvents(refused('PROMPT_REQUIRED'));
      browser(run([setFrequency('DAILY'), setFrequency('EVERY_TASK', { now: at(MINUTE) })]))
        .when(unsignedTask({ now: at(2 * MINUTE) }))
        .thenEvents(refused('PROMPT_REQUIRED'));
    });

    it.each([
      ['DAILY', DAY],
      ['WEEKLY', WEEK],
    ] as const)('remembers a %s signature until the end of its window, not a millisecond more', (frequency, window) => {
      const events = run([setFrequency(frequency)]);
      browser(events).when(unsignedTask({ now: at(window - 1) })).thenEvents(remembered(at(window)));
      browser(events).when(unsignedTask({ now: at(window) })).thenEvents(refused('PROMPT_REQUIRED'));
    });

    it('starts the window at the last signature made in the browser', () => {
      const events = run([setFrequency('DAILY'), signedTask({ now: at(20 * HOUR) })]);
      browser(events).when(unsignedTask({ now: at(43 * HOUR) })).thenEvents(remembered(at(44 * HOUR)));
    });

    it('does not extend the window with remembered authorizations', () => {
      const events = run([setFrequency('DAILY'), unsignedTask({ now: at(23 * HOUR) })]);
      expect(events[1].data).toMatchObject({ method: 'REMEMBERED' });
      browser(events).when(unsignedTask({ now: at(DAY) })).thenEvents(refused('PROMPT_REQUIRED'));
    });

    it('resets to EVERY_TASK when the agent\'s key changes (R10)', () => {
      const events = run([setFrequency('WEEKLY')]);
      browser(events).when(unsignedTask({ now: at(HOUR), activeKey: NEW_ACTIVE })).thenEvents(refused('PROMPT_REQUIRED'));
      const [authorized] = browser(events).when(signedTask({ now: at(HOUR), activeKey: NEW_ACTIVE, signer: newKey })).events();
      expect(authorized.data).toMatchObject({ method: 'SIGNATURE', keyFingerprint: newKey.fingerprint, validUntil: at(HOUR) });
    });

    it('remembers only signatures made with the current key', () => {
      // The frequency was set with the current key, but the last signature in the browser was made with another.
      const events = run([setFrequency('DAILY', { now: at(HOUR), activeKey: NEW_ACTIVE, signer: newKey }), signedTask({ now: at(2 * HOUR) })]);
      browser(events).when(unsignedTask({ now: at(3 * HOUR), activeKey: NEW_ACTIVE })).thenEvents(refused('PROMPT_REQUIRED'));
      browser(events).when(unsignedTask({ now: at(3 * HOUR) })).thenEvents(refused('PROMPT_REQUIRED'));
    });
  });

  describe('ids a request gives what it records (an Idempotency-Key: its retry looks for them)', () => {
    const AUTHORIZATION = 'a3f0c2de-5b0e-5f6b-9a57-2f1c1d0a7e41';
    const CHANGE = 'b4e1d3ef-6c1f-5a7c-8b68-3a2d2e1b8f52';

    it('records the authorization and the change with their ids; a refusal carries none', () => {
      const change = { ...setFrequency('DAILY'), changeId: CHANGE } as BrowserCommand;
      const [changed] = browser().when(change).events();
      expect(changed.data).toMatchObject({ frequency: 'DAILY', changeId: CHANGE });
      const remembering = run([setFrequency('DAILY')]);
      const [authorized] = browser(remembering).when({ ...unsignedTask({ now: at(HOUR) }), authorizationId: AUTHORIZATION } as BrowserCommand).events();
      expect(authorized.data).toMatchObject({ method: 'REMEMBERED', authorizationId: AUTHORIZATION });
      const [signed] = browser().when({ ...signedTask(), authorizationId: AUTHORIZATION } as BrowserCommand).events();
      expect(signed.data).toMatchObject({ method: 'SIGNATURE', authorizationId: AUTHORIZATION });
      browser().when({ ...unsignedTask(), authorizationId: AUTHORIZATION } as BrowserCommand).thenEvents(refused('PROMPT_REQUIRED'));
    });

    it('knows the revision of each event recorded with an id, whatever the events around it', () => {
      const events = run([
        setFrequency('DAILY', { now: at(0) }),
        { ...unsignedTask({ now: at(HOUR) }), authorizationId: AUTHORIZATION } as BrowserCommand,
        unsignedTask({ now: at(2 * HOUR) }),
        logout({ now: at(3 * HOUR) }),
        unsignedTask({ now: at(4 * HOUR) }),
        { ...setFrequency('WEEKLY', { now: at(5 * HOUR) }), changeId: CHANGE } as BrowserCommand,
      ]);
      expect(events.map((event) => event.type)).toEqual([
        'PromptFrequencyChanged',
        'SensitiveTaskAuthorized',
        'SensitiveTaskAuthorized',
        'PromptFrequencyChanged',
        'SensitiveTaskRefused',
        'PromptFrequencyChanged',
      ]);
      const { state } = browser(events);
      expect(state.nextRevision).toBe(6);
      expect(revisionNamed(state, AUTHORIZATION)).toBe(1);
      expect(revisionNamed(state, CHANGE)).toBe(5);
      expect(revisionNamed(state, 'c5f2e4f0-7d20-5b8d-9c79-4b3e3f2c9063')).toBeUndefined();
      expect(revisionNamed(browser(events.slice(0, 1)).state, AUTHORIZATION)).toBeUndefined();
    });
  });
});
