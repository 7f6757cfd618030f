import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Registry } from 'prom-client';
import type { HttpResponseLike } from './http-response.type';
import { METRICS_REGISTRY } from './observability.constants';

/** `GET /metrics`: Prometheus text exposition of the service registry. */
@Controller()
export class MetricsController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  @Get('metrics')
  async metrics(
    @Res({ passthrough: true }) res: HttpResponseLike,
  ): Promise<string> {
    res.setHeader('Content-Type', this.registry.contentType);
    return this.registry.metrics();
  }
}
