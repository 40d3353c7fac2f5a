import { LogViolation } from '../replay/log-violation';

/** The log is not an extension of the trusted checkpoint. */
export class ForkViolation extends LogViolation {}
