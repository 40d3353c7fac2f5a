import { asOfProjection, type BrowserWindowDocument } from '../../projections/as-of.projection';
import { orgWithMembers } from './support/org-with-members';
import { project } from './support/recording-log';

const ORG = 'org-1';

function setUp() {
  const { org, log } = orgWithMembers(ORG, 'alice');
  log.record(org.requestKey('alice', 'r-a1'));
  log.record(org.approve('root', 'alice'));
  const windows = () =>
    project(asOfProjection, log.events)
      .dump('browser_windows')
      .map((d) => d.document as BrowserWindowDocument)
      .map(({ browserId, from, until }) => ({ browserId, from, until }));
  return { org, log, windows };
}

describe('as-of projection: remembered windows', () => {
  it('writes the window a signature opens at DAILY', () => {
    const { org, log, windows } = setUp();
    const [set] = log.record(org.setPromptFrequency('alice', 'laptop', 'DAILY'));
    const [task] = log.record(org.sensitiveTask('alice', 'laptop', 'remote-control'));
    expect(windows()).toEqual([
      { browserId: 'laptop', from: set.metadata.occurredAt, until: expect.any(String) },
      { browserId: 'laptop', from: task.metadata.occurredAt, until: (task.data as { validUntil: string }).validUntil },
    ]);
  });

  // EVERY_TASK is the default: most signed tasks. Their window ends as it opens, and the window
  // before it, if any, had already been ended by a document of its own (a logout, a change to
  // EVERY_TASK) or was signed by a key that is no longer ACTIVE (R10): a document for it would
  // change no answer, only cost a write an event to every catch-up and live projection.
  it('writes nothing for a signature at EVERY_TASK, which opens no window', () => {
    const { org, log, windows } = setUp();
    log.record(org.sensitiveTask('alice', 'laptop', 'remote-control'));
    log.record(org.sensitiveTask('alice', 'phone', 'remote-control'));
    expect(windows()).toEqual([]);
  });

  it('still ends an open window at a logout and at a change to EVERY_TASK', () => {
    const { org, log, windows } = setUp();
    log.record(org.setPromptFrequency('alice', 'laptop', 'DAILY'));
    log.record(org.setPromptFrequency('alice', 'phone', 'WEEKLY'));
    const [logout] = log.record(org.logOut('alice', 'laptop'));
    const [everyTask] = log.record(org.setPromptFrequency('alice', 'phone', 'EVERY_TASK'));
    const ended = windows().filter(({ from, until }) => from === until);
    expect(ended).toEqual([
      { browserId: 'laptop', from: logout.metadata.occurredAt, until: logout.metadata.occurredAt },
      { browserId: 'phone', from: everyTask.metadata.occurredAt, until: everyTask.metadata.occurredAt },
    ]);
  });
});
