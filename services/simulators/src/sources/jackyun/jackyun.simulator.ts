import type { z } from 'zod';
import {
  createSourceState,
  requestParams,
  startSourceSimulator,
} from '../common';
import { adminDataset } from '../source-admin';
import { SourceDataset } from '../source-dataset';
import type { SourceSimulator } from '../source-kit';
import type { RuntimeOptions } from '../source-options.schema';
import {
  JACKYUN_GATEWAY_PATH,
  JACKYUN_QIMEN_PATH,
} from '@kingbridge/source-jackyun/protocol';
import { jackyunChannelSpec, jackyunTradeSpec } from './jackyun-data';
import { jackyunReplies } from './jackyun-envelope';
import { gatewayCall } from './jackyun-gateway';
import { ALL_TRADE_FIELDS, channelRow, tradeRow } from './jackyun-projection';
import { qimenCall } from './jackyun-qimen.handler';
import {
  jackyunChannelSchema,
  jackyunTradeSchema,
  type JackyunChannel,
  type JackyunTrade,
} from './jackyun.model';
import {
  JACKYUN_SUBCODES,
  jackyunOptionsSchema,
  type JackyunContext,
  type JackyunOptions,
} from './jackyun.options';

export {
  JACKYUN_SUBCODES,
  jackyunOptionsSchema,
  type JackyunOptions,
} from './jackyun.options';

/**
 * Starts the Jackyun (吉客云) open-platform gateway simulator: `POST /open/openapi/do`, form body,
 * methods `jackyun.tradenotsensitiveinfos.list.get` and `erp.sales.get`; and the Qimen router in front of it.
 */
export async function startJackyunSimulator(
  input: JackyunOptions & RuntimeOptions<JackyunTrade> = {},
): Promise<SourceSimulator> {
  const state = createSourceState(
    {
      optionsSchema: jackyunOptionsSchema,
      recordSchema: jackyunTradeSchema,
      dataset: jackyunTradeSpec,
      throttle: JACKYUN_SUBCODES.throttled as string,
    },
    input,
  );
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
  const { fail } = ctx.reply;
  return startSourceSimulator(state, {
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
    platformError: (kind) =>
      kind === 'not_found'
        ? fail(JACKYUN_SUBCODES.notFound, '请求路径不存在', 'not_found', 404)
        : kind === 'too_large'
          ? fail(JACKYUN_SUBCODES.badParam, '请求体过大')
          : fail(
              JACKYUN_SUBCODES.unknown,
              '未知错误',
              kind === 'fault' ? 'fault' : 'rejected',
            ),
    handle: (req) => {
      if (req.path === JACKYUN_QIMEN_PATH) return qimenCall(ctx, req);
      if (req.path !== JACKYUN_GATEWAY_PATH)
        return fail(
          JACKYUN_SUBCODES.notFound,
          '请求路径不存在',
          'not_found',
          404,
        );
      return gatewayCall(ctx, req);
    },
  });
}
