import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { TerminusModule } from '@nestjs/terminus';
import { Registry } from 'prom-client';
import { ChallengeTokens } from './application/challenge-tokens';
import { Directory } from './application/directory';
import { EventWriter } from './application/event-writer';
import { Proofs } from './application/proofs';
import { STATE_CACHE_LIMITS, StreamStates } from './application/stream-states';
import { BrowserActionHandler } from './application/use-cases/browser-actions';
import { CreateOrganizationHandler } from './application/use-cases/create-organization';
import { DecideKeyRequestHandler } from './application/use-cases/decide-key-request';
import { GetKeyRequestHandler } from './application/use-cases/get-key-request';
import { IssueChallengeHandler } from './application/use-cases/issue-challenge';
import { ChangeDirectoryHandler } from './application/use-cases/manage-agents';
import { ChangeOrgPolicyHandler } from './application/use-cases/change-org-policy';
import { StartRecoveryHandler } from './application/use-cases/start-recovery';
import { VetoRecoveryHandler } from './application/use-cases/veto-recovery';
import { Recoveries } from './application/recoveries';
import { RequestKeyHandler } from './application/use-cases/request-key';
import { RevokeKeyHandler } from './application/use-cases/revoke-key';
import { AuthGuard, BOOTSTRAP_TOKEN, OrgScopeGuard } from './auth/auth.guard';
import { TokenVerifier } from './auth/token-verifier';
import { APP_CONFIG } from './config/app-config';
import { EVENT_STORE } from './event-store/event-store.port';
import { HealthController } from './http/controllers/health.controller';
import { READINESS_PROBE } from './shared/readiness';
import { AgentsController } from './http/controllers/agents.controller';
import { BrowsersController } from './http/controllers/browsers.controller';
import { ChallengesController } from './http/controllers/challenges.controller';
import { KeyRequestsController } from './http/controllers/key-requests.controller';
import { OrganizationsController } from './http/controllers/organizations.controller';
import { OrgPolicyController } from './http/controllers/org-policy.controller';
import { RecoveriesController } from './http/controllers/recoveries.controller';
import { SensitiveTasksController } from './http/controllers/sensitive-tasks.controller';
import { ProblemFilter } from './http/problem.filter';
import { PathParametersGuard } from './http/path-parameters.guard';
import { UndeclaredInputGuard } from './http/undeclared-input.guard';
import { RateLimits } from './rate-limits/rate-limits';
import { ConcurrentExports } from './rate-limits/concurrent-exports';
import { exportPlaceCounter } from './rate-limits/cluster-export-places';
import { MetricsController } from './http/controllers/metrics.controller';
import { PendingApprovalsQuery } from './application/queries/pending-approvals';
import { AsOfQuery } from './application/queries/as-of-query';
import { ReadQueries } from './application/queries/read-queries';
import { ReadModelsController } from './http/controllers/read-models.controller';
import { ReadAccess } from './http/read-access';
import { READ_MODEL_STORE } from './read-models/read-model-store.port';
import { MERKLE_NODE_STORE } from './transparency/node-store/merkle-node-store.port';
import type { Runtime } from './runtime/runtime';
import { scrapeAndReadiness } from './runtime/scrape-and-readiness';
import { METRICS_SCRAPE } from './metrics/metrics-scrape.port';
import { LogKeyController } from './http/controllers/log-key.controller';
import { SignInOptionsController } from './http/controllers/sign-in-options.controller';
import { AuditProofsController } from './http/controllers/audit-proofs.controller';
import { AuditProofs } from './application/queries/audit-proofs';
import { WitnessCosignatures } from './application/queries/witness-cosignatures';
import { LOG_KEY } from './transparency/log-key';
import { TamperedOrgs } from './application/tampered-orgs';

/** What the process built before Nest starts: configuration, secrets and the stores. */

const API_CONTROLLERS = [
  OrganizationsController,
  OrgPolicyController,
  RecoveriesController,
  AgentsController,
  ChallengesController,
  KeyRequestsController,
  BrowsersController,
  SensitiveTasksController,
  ReadModelsController,
  LogKeyController,
  AuditProofsController,
  SignInOptionsController,
];

const HANDLERS = [
  CreateOrganizationHandler,
  ChangeDirectoryHandler,
  ChangeOrgPolicyHandler,
  StartRecoveryHandler,
  VetoRecoveryHandler,
  IssueChallengeHandler,
  RequestKeyHandler,
  DecideKeyRequestHandler,
  GetKeyRequestHandler,
  RevokeKeyHandler,
  BrowserActionHandler,
];

@Module({})
export class AppModule {
  static register(runtime: Runtime): DynamicModule {
    const { scrape, readiness } = scrapeAndReadiness(runtime.registry, runtime.readinessChecks);
    const providers: Provider[] = [
      { provide: APP_CONFIG, useValue: runtime.config },
      { provide: EVENT_STORE, useValue: runtime.eventStore },
      { provide: READ_MODEL_STORE, useValue: runtime.readModels },
      { provide: MERKLE_NODE_STORE, useValue: runtime.merkleNodes },
      { provide: Registry, useValue: runtime.registry },
      { provide: METRICS_SCRAPE, useValue: scrape },
      { provide: READINESS_PROBE, useValue: readiness },
      { provide: TamperedOrgs, useValue: runtime.tampered },
      { provide: BOOTSTRAP_TOKEN, useValue: runtime.secrets.bootstrapToken },
      { provide: LOG_KEY, useValue: runtime.logKey },
      { provide: TokenVerifier, useValue: TokenVerifier.fromConfig(runtime.config, runtime.secrets.jwtSecret) },
      { provide: ChallengeTokens, useValue: new ChallengeTokens(runtime.secrets.challengeSecret) },
      // In this order: a request is authenticated before its input is looked at, and its path's
      // parameters are checked against their schemas before its org is (a 400, not R14's 404).
      { provide: APP_GUARD, useClass: AuthGuard },
      { provide: APP_GUARD, useClass: PathParametersGuard },
      { provide: APP_GUARD, useClass: OrgScopeGuard },
      { provide: APP_GUARD, useClass: UndeclaredInputGuard },
      { provide: APP_FILTER, useClass: ProblemFilter },
      { provide: RateLimits, useValue: runtime.rateLimits },
      { provide: ConcurrentExports, useValue: new ConcurrentExports(exportPlaceCounter(runtime.config.concurrentExports), runtime.registry) },
      { provide: STATE_CACHE_LIMITS, useValue: runtime.config.stateCacheLimits },
      StreamStates,
      Directory,
      Recoveries,
      EventWriter,
      Proofs,
      ReadQueries,
      AsOfQuery,
      PendingApprovalsQuery,
      AuditProofs,
      WitnessCosignatures,
      ReadAccess,
      ...HANDLERS,
    ];
    return {
      module: AppModule,
      global: true,
      imports: [
        CqrsModule.forRoot(),
        // Its own logger writes an error line at every failed probe: HealthController logs changes instead.
        TerminusModule.forRoot({ logger: false }),
        ...(runtime.modules ?? []),
      ],
      // Every process answers health and metrics; only the api role serves API v1.
      controllers: [...(runtime.config.roles.includes('api') ? API_CONTROLLERS : []), HealthController, MetricsController],
      providers,
      exports: [EVENT_STORE, APP_CONFIG, Registry, Directory, StreamStates],
    };
  }
}
