import { describeReadModelStore } from './read-model-store.contract';
import { describeWithMongo, openMongo } from './support/stores';

describeWithMongo('MongoDB read models', () => {
  describeReadModelStore('MongoDB', openMongo);
});
