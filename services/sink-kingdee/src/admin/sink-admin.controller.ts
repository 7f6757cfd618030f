import { AdminTokenGuard } from '@kingbridge/observability';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { z } from 'zod';
import type { LedgerEntry } from '../ledger/ledger.repository';
import {
  deadLetterSelectorSchema,
  documentKeyParamSchema,
  parseInput,
  toFilter,
  traceQuerySchema,
} from './admin-query.schema';
import {
  SinkAdminService,
  toView,
  type DeadLetterView,
  type RecordTrace,
} from './sink-admin.service';

const replayBodySchema = deadLetterSelectorSchema.extend({
  dryRun: z.boolean().optional(),
});

/**
 * Ops endpoints of the sink, all behind `AdminTokenGuard`
 * (`Authorization: Bearer <ADMIN_TOKEN>`).
 */
@Controller('admin')
@UseGuards(AdminTokenGuard)
export class SinkAdminController {
  constructor(
    @Inject(SinkAdminService) private readonly admin: SinkAdminService,
  ) {}

  /** `GET /admin/dead-letters?flow=&errorClass=&since=&until=&key=&sourceId=&status=&limit=` */
  @Get('dead-letters')
  async deadLetters(
    @Query() query: unknown,
  ): Promise<{ count: number; deadLetters: DeadLetterView[] }> {
    const filter = toFilter(parseInput(deadLetterSelectorSchema, query));
    const rows = await this.admin.listDeadLetters(filter);
    return { count: rows.length, deadLetters: rows.map(toView) };
  }

  /** `POST /admin/replay` with the same selectors as JSON body (+ `dryRun`). */
  @Post('replay')
  @HttpCode(200)
  async replay(
    @Body() body: unknown,
  ): Promise<{ dryRun: boolean; count: number; replayed: DeadLetterView[] }> {
    const { dryRun, ...selector } = parseInput(replayBodySchema, body);
    const rows = await this.admin.replay(toFilter(selector), dryRun === true);
    return {
      dryRun: dryRun === true,
      count: rows.length,
      replayed: rows.map(toView),
    };
  }

  /** `GET /admin/ledger/:documentKey`: state, Kingdee id/number, attempts, last error. */
  @Get('ledger/:documentKey')
  async ledger(
    @Param('documentKey') documentKey: string,
  ): Promise<LedgerEntry> {
    const key = parseInput(documentKeyParamSchema, documentKey);
    const entry = await this.admin.ledger(key);
    if (!entry)
      throw new NotFoundException(`no ledger entry for document ${key}`);
    return entry;
  }

  /** `GET /admin/trace?sourceId=`: the sink's part of a record's path. */
  @Get('trace')
  async trace(@Query() query: unknown): Promise<RecordTrace> {
    const { sourceId } = parseInput(traceQuerySchema, query);
    return this.admin.trace(sourceId);
  }
}
