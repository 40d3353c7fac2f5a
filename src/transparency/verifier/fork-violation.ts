import { LogViolation } from '../replay/log-violation';

/** The log is not an extension of the trusted checkpoint. */
export class ForkViolation extends LogViolation {}

/** The trusted checkpoint is of an org the file holds no event of: the checkpoint of another org was given, a mistake of whoever verifies rather than a verdict on the file. */
export class OtherOrgViolation extends LogViolation {}
