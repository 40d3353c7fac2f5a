import { SetMetadata } from '@nestjs/common';

export type Access = 'public' | 'operator' | 'agent' | 'agent-or-operator' | 'metrics';
export const ACCESS = 'ztkeys:access';

/** No token needed (health, metrics, docs). */
export const Public = () => SetMetadata(ACCESS, 'public' satisfies Access);
/** Public unless METRICS_TOKEN is set; then that token (Prometheus scrapers). */
export const MetricsScraper = () => SetMetadata(ACCESS, 'metrics' satisfies Access);
/** The operator's bootstrap token (POST /v1/orgs). */
export const OperatorOnly = () => SetMetadata(ACCESS, 'operator' satisfies Access);
/** An agent's token or the operator's bootstrap token (R20: the operator follows the recovery they started). */
export const AgentOrOperator = () => SetMetadata(ACCESS, 'agent-or-operator' satisfies Access);
