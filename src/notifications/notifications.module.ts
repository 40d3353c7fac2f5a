import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { EmailNotifications } from './email-notifications';
import { EMAIL_QUEUE } from './queue/email-queue.port';

/** Starts the notifications with the app and stops them (running sends finish) before it closes its stores. */
@Injectable()
class EmailNotificationsLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(EmailNotifications) private readonly notifications: EmailNotifications) {}

  onApplicationBootstrap(): void {
    this.notifications.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.notifications.stop();
  }
}

/**
 * R12 inside the Nest app. The notifications are built before Nest (build-runtime.ts), so that their
 * readiness check joins the others; this module ties them to the app's lifecycle.
 */
@Module({})
export class NotificationsModule {
  static register(notifications: EmailNotifications): DynamicModule {
    return {
      module: NotificationsModule,
      providers: [
        { provide: EmailNotifications, useValue: notifications },
        { provide: EMAIL_QUEUE, useValue: notifications.queue },
        EmailNotificationsLifecycle,
      ],
      exports: [EmailNotifications, EMAIL_QUEUE],
    };
  }
}
