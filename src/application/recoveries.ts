import { Injectable } from '@nestjs/common';
import { recoveryDecider } from '../domain/recovery/recovery.decider';
import type { RecoveryState } from '../domain/recovery/recovery.state';
import { recoveryStream } from '../domain/streams';
import { type LoadedStream, StreamStates } from './stream-states';

/** Reads an org's recovery stream (R20 break-glass recovery) at decision time. */
@Injectable()
export class Recoveries {
  constructor(private readonly states: StreamStates) {}

  /** `freshSince`: see `StreamStates.load`. */
  load(orgId: string, freshSince?: number): Promise<LoadedStream<RecoveryState>> {
    return this.states.load(recoveryStream(orgId), recoveryDecider, freshSince);
  }
}
