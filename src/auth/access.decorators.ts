import { SetMetadata } from '@nestjs/common';

export type Access = 'public' | 'operator' | 'agent' | 'metrics';
export const ACCESS = 'ztkeys:access';

/** No token needed (health, metrics, docs). */
export const Public = () => SetMetadata(ACCESS, 'public' satisfies Access);
/** Public unless METRICS_TOKEN is set; then that token (Prometheus scrapers). */
export const MetricsScraper = () => SetMetadata(ACCESS, 'metrics' satisfies Access);
/** The operator's bootstrap token (POST /v1/orgs). */
export const OperatorOnly = () => SetMetadata(ACCESS, 'operator' satisfies Access);
