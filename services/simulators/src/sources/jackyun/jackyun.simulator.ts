import type { z } from 'zod';
import { requestParams } from '../common';
import { adminDataset } from '../source-admin';
import { SourceDataset } from '../source-dataset';
import {
  JACKYUN_GATEWAY_PATH,
  JACKYUN_QIMEN_PATH,
} from '@kingbridge/source-jackyun/protocol';
import { jackyunChannelSpec } from './jackyun-data';
import { jackyunReplies } from './jackyun-envelope';
import { gatewayCall } from './jackyun-gateway';
import { ALL_TRADE_FIELDS, channelRow, tradeRow } from './jackyun-projection';
import { qimenCall } from './jackyun-qimen.handler';
import {
  jackyunChannelSchema,
  jackyunTradeSchema,
  type JackyunChannel,
} from './jackyun.model';
import { JACKYUN_SOURCE, type JackyunContext } from './jackyun.options';

export * from './jackyun.options';

/**
 * Starts the Jackyun (吉客云) open-platform gateway simulator: `POST /open/openapi/do`, form body,
 * methods `jackyun.tradenotsensitiveinfos.list.get` and `erp.sales.get`; and the Qimen router in front of it.
 */
export const startJackyunSimulator = JACKYUN_SOURCE.start((state) => {
  const { opts } = state;
  const ctx: JackyunContext = {
    state,
    channels: new SourceDataset<JackyunChannel>(jackyunChannelSpec, {
      seed: opts.seed + 1,
      initialRecords: opts.channelCount,
      anchor: state.anchor,
      historyMs: state.historyMs * 10,
      arrivalsPerMinute: 0,
      modificationsPerMinute: 0,
    }),
    reply: jackyunReplies(),
    cursorPages: 0,
  };
  return {
    name: 'jackyun',
    datasets: [
      adminDataset('trades', state.dataset, jackyunTradeSchema, (t) =>
        tradeRow(t, ALL_TRADE_FIELDS),
      ),
      adminDataset(
        'channels',
        ctx.channels,
        jackyunChannelSchema as z.ZodType<JackyunChannel>,
        (c) => channelRow(c, opts.includeChannelGmtModified),
      ),
    ],
    onReset: () => {
      ctx.cursorPages = 0;
    },
    endpointOf: (req) => requestParams(req, true)['method'] ?? req.path,
    errors: ctx.reply.errors,
    handle: (req) => {
      if (req.path === JACKYUN_QIMEN_PATH) return qimenCall(ctx, req);
      if (req.path !== JACKYUN_GATEWAY_PATH) return ctx.reply.errors.notFound();
      return gatewayCall(ctx, req);
    },
  };
});
