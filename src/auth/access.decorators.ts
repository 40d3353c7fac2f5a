import { SetMetadata } from '@nestjs/common';

export type Access = 'public' | 'operator' | 'agent';
export const ACCESS = 'ztkeys:access';

/** No token needed (health, metrics, docs). */
export const Public = () => SetMetadata(ACCESS, 'public' satisfies Access);
/** The operator's bootstrap token (POST /v1/orgs). */
export const OperatorOnly = () => SetMetadata(ACCESS, 'operator' satisfies Access);
