import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { HttpResponseLike } from './http-response.type';
import { ReadinessRegistry, type ReadinessReport } from './readiness.registry';

/**
 * `GET /health/live`: 200 while the process serves HTTP (restart if not).
 * `GET /health/ready`: 200 when every readiness check passes, otherwise 503
 * with the failing check names (take out of rotation, do not restart).
 */
@Controller('health')
export class HealthController {
  constructor(
    @Inject(ReadinessRegistry) private readonly readiness: ReadinessRegistry,
  ) {}

  @Get('live')
  live(): { status: 'ok'; uptimeSeconds: number } {
    return { status: 'ok', uptimeSeconds: Math.round(process.uptime()) };
  }

  @Get('ready')
  async ready(
    @Res({ passthrough: true }) res: HttpResponseLike,
  ): Promise<ReadinessReport> {
    const report = await this.readiness.run();
    res.status(report.status === 'ready' ? 200 : 503);
    return report;
  }
}
