import { browserDecider } from '../../src/domain/browser/browser.decider';
import type { BrowserCommand } from '../../src/domain/browser/browser.commands';
import type { BrowserEvent } from '../../src/domain/browser/browser.events';
import { fold } from '../../src/domain/shared/decider';
import { DomainRefusal } from '../../src/domain/shared/refusal';
import { CHALLENGE_TTL_MS, CLOCK_SKEW_TOLERANCE_MS } from '../../src/domain/shared/signed-proof';
import { challengeOf, rememberedNonces } from '../../src/domain/shared/used-nonces';
import { asActiveKey, challengeFields, generateKeyPair, signedProof } from '../support/ed25519-keys';
import { given, history } from './given-when-then';
import { MINUTE, ORG, at } from './key-fixtures';

/**
 * R17: a challenge nonce is never used twice, whatever any clock does. Each command carries the
 * time of the instance that handles it; challenges carry the time of the instance that issued them.
 */
const key = generateKeyPair();
const ACTIVE = asActiveKey(key, 'r1');
const TASK = 'remote-control:device-42';
const base = { orgId: ORG, agentId: 'carol', browserId: 'laptop', activeKey: ACTIVE, role: 'MEMBER' as const };

/** A signed sensitive task on a challenge issued at `issuedAt` (the issuing instance's clock). */
const task = (issuedAt: string): Extract<BrowserCommand, { type: 'AuthorizeSensitiveTask' }> => ({
  type: 'AuthorizeSensitiveTask',
  ...base,
  task: TASK,
  now: issuedAt,
  proof: signedProof(key, challengeFields({ purpose: 'SENSITIVE_TASK', orgId: ORG, agentId: 'carol', browserId: 'laptop', task: TASK, issuedAt })),
});
const frequency = (issuedAt: string): BrowserCommand => ({
  type: 'SetPromptFrequency',
  ...base,
  frequency: 'DAILY',
  now: issuedAt,
  proof: signedProof(key, challengeFields({ purpose: 'PROMPT_FREQUENCY', orgId: ORG, agentId: 'carol', browserId: 'laptop', frequency: 'DAILY', issuedAt })),
});
/** The same command (same challenge and signature) handled at `now`. */
const replayedAt = <C extends BrowserCommand>(command: C, now: string): C => ({ ...command, now });

const run = (commands: BrowserCommand[]): BrowserEvent[] => history(browserDecider, commands);
const browser = (events: BrowserEvent[]) => given(browserDecider, events);
const noncesOf = (events: BrowserEvent[]): string[] =>
  events.flatMap((event) => ('proof' in event.data && event.data.proof ? [challengeOf(event.data.proof.statement).nonce] : []));

describe('one-time challenges whatever the clocks say (R17)', () => {
  it('refuses a replay after the clock stepped back five minutes', () => {
    // Used at 10:00, then a newer challenge used at 10:05 (the old code forgot the first here).
    const first = task(at(0));
    const events = run([first, task(at(5 * MINUTE))]);
    // The clock steps back five minutes: the first challenge looks alive again.
    browser(events).when(replayedAt(first, at(0))).thenRefused('UNPROCESSABLE', 'CHALLENGE_REPLAYED');
  });

  it('refuses a replay between two instances whose clocks are four minutes apart', () => {
    // Instance B runs four minutes behind A. B issues and uses a prompt-frequency challenge.
    const behind = (ms: number) => at(ms - 4 * MINUTE);
    const first = frequency(behind(0));
    // A minute later A issues and uses another one (with A's clock, one minute after B's expiry).
    const events = run([first, frequency(at(MINUTE))]);
    // The first challenge replayed through B, whose clock says it has not expired.
    browser(events).when(replayedAt(first, behind(2 * MINUTE))).thenRefused('UNPROCESSABLE', 'CHALLENGE_REPLAYED');
  });

  it('refuses, whatever `now` says, a challenge issued before what the stream still remembers', () => {
    const old = task(at(0));
    const events = run([task(at(CHALLENGE_TTL_MS + CLOCK_SKEW_TOLERANCE_MS + 1))]);
    expect(browser(events).state.usedNonces.horizon).toBe(Date.parse(at(1)));
    browser(events).when(replayedAt(old, at(0))).thenRefused('UNPROCESSABLE', 'CHALLENGE_EXPIRED');
  });

  it('keeps the horizon where it was when an older challenge is used after a newer one', () => {
    const events = run([task(at(10 * MINUTE)), task(at(6 * MINUTE))]);
    expect(browser(events).state.usedNonces.horizon).toBe(Date.parse(at(10 * MINUTE - CHALLENGE_TTL_MS - CLOCK_SKEW_TOLERANCE_MS)));
    expect(rememberedNonces(browser(events).state.usedNonces)).toHaveLength(2);
  });

  it('forgets only nonces issued before the horizon', () => {
    const events = run([task(at(0)), task(at(3 * MINUTE)), task(at(9 * MINUTE))]);
    expect(rememberedNonces(fold(browserDecider, events).usedNonces).sort()).toEqual(noncesOf(events).slice(1).sort());
  });

  it('keeps within twice the challenges alive, however long the stream, and leaves earlier states as they were', () => {
    // One signed task every 10 s for 80 minutes: 43 challenges alive (TTL + skew, both ends) at any time.
    const events = run(Array.from({ length: 480 }, (_, i) => task(at(i * 10_000))));
    const midway = fold(browserDecider, events.slice(0, 240)).usedNonces;
    const remembered = rememberedNonces(midway);
    const end = fold(browserDecider, events).usedNonces;
    const alive = rememberedNonces(end).length;
    expect(alive).toBe(43);
    expect(end.size).toBeLessThanOrEqual(2 * alive);
    expect(rememberedNonces(midway)).toEqual(remembered);
    expect(remembered.sort()).toEqual(noncesOf(events.slice(240 - 43, 240)).sort());
  });

  it('never records two events with one nonce, however two instances minutes apart interleave (200 commands)', () => {
    // Deterministic pseudo-random interleaving of fresh challenges and replays through
    // instances whose clocks are 0, -4 and +3 minutes off, with the clock stepping back now and then.
    let seed = 42;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const offsets = [0, -4 * MINUTE, 3 * MINUTE];
    const issued: ReturnType<typeof task>[] = [];
    let events: BrowserEvent[] = [];
    let trueTime = 0;
    let replaysRefused = 0;
    for (let i = 0; i < 200; i++) {
      trueTime += random() < 0.03 ? -5 * MINUTE : Math.floor(random() * 60_000);
      const clock = (instance: number) => at(trueTime + offsets[instance]);
      const instance = Math.floor(random() * offsets.length);
      const replay = issued.length > 0 && random() < 0.5;
      const command = replay ? replayedAt(issued[issued.length - 1 - Math.floor(random() * Math.min(6, issued.length))], clock(instance)) : task(clock(instance));
      if (!replay) issued.push(command);
      const state = fold(browserDecider, events);
      try {
        events = [...events, ...browserDecider.decide(command, state).events];
      } catch (error) {
        expect(error).toBeInstanceOf(DomainRefusal);
        if (replay) replaysRefused += 1;
      }
    }
    const nonces = noncesOf(events);
    expect(nonces.length).toBeGreaterThan(50);
    expect(new Set(nonces).size).toBe(nonces.length);
    expect(replaysRefused).toBeGreaterThan(50);
  });
});
