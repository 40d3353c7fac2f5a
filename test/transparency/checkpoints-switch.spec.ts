import { loadConfig } from '../../src/config/app-config';
import { ConfigError } from '../../src/config/config-error';

describe('LOG_CHECKPOINTS', () => {
  it('signs checkpoints unless set to off, and names any other value', () => {
    expect(loadConfig({}).checkpoints).toBe(true);
    expect(loadConfig({ LOG_CHECKPOINTS: 'on' }).checkpoints).toBe(true);
    expect(loadConfig({ LOG_CHECKPOINTS: 'off' }).checkpoints).toBe(false);
    expect(() => loadConfig({ LOG_CHECKPOINTS: 'no' })).toThrow(ConfigError);
    expect(() => loadConfig({ LOG_CHECKPOINTS: 'no' })).toThrow(/LOG_CHECKPOINTS is "no"; choose on or off/);
  });
});
