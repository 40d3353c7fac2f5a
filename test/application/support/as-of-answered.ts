import type { AsOfAnswer } from '../../../src/application/queries/as-of-answer';

/** The as-of query's answer from the JSON it comes as (AsOfQuery.whoCouldAct). */
export const asOfAnswered = async (json: Promise<Buffer>): Promise<AsOfAnswer> => JSON.parse((await json).toString('utf8')) as AsOfAnswer;
