import { describeReadModelStore } from './read-model-store.contract';
import { openSqlite } from './support/stores';

describeReadModelStore('embedded SQLite', async () => {
  const opened = await openSqlite();
  return {
    ...opened,
    cleanup: async () => {
      await opened.store.close();
      await opened.cleanup();
    },
  };
});
