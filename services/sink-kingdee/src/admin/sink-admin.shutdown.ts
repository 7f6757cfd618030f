import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { SinkAdminService } from './sink-admin.service';

/** Closes the admin service's lazy Postgres and Kafka connections on shutdown. */
@Injectable()
export class SinkAdminShutdown implements OnApplicationShutdown {
  constructor(
    @Inject(SinkAdminService) private readonly admin: SinkAdminService,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.admin.close();
  }
}
