import { PersistentMap } from '../../src/domain/shared/persistent-map';
it('perf', () => {
  for (let k = 0; k < 3; k++) {
    let t = performance.now();
    let m = PersistentMap.empty<object>();
    for (let i = 0; i < 10000; i++) m = m.set('agent-' + i, {});
    console.log('pm', performance.now() - t);
  }
});
