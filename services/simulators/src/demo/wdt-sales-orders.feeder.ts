import {
  K3_AUTH_SERVICE,
  K3_DYNAMIC_FORM_SERVICE,
} from '@kingbridge/sink-kingdee-client/protocol';
import type { K3CloudSimulator } from '../kingdee/k3cloud/k3cloud.simulator';
import type { SourceSimulator } from '../sources/source-kit';

const DYN = K3_DYNAMIC_FORM_SERVICE;
const AUTH = K3_AUTH_SERVICE;

interface StockoutView {
  src_trade_no?: unknown;
  trade_time?: unknown;
  nick_name?: unknown;
  details_list?: Array<{ goods_no?: unknown; goods_count?: unknown }>;
}

export interface SalesOrderFeeder {
  /** Enters the sales orders of the stock-outs WDT holds now; resolves to the number saved. */
  tick(): Promise<number>;
  stop(): void;
}

/**
 * The demo world's order entry: every WDT stock-out points to a sales order
 * (`src_trade_no`, one entry per goods_no) that K3Cloud holds, as in a retailer
 * whose orders reach K3Cloud before they ship. Saved through the K3Cloud
 * simulator's own WebAPI (ValidateUser + BatchSave, audited); an order that
 * fails (master data not loaded yet) is tried again on the next tick.
 */
export function startWdtSalesOrderFeeder(options: {
  wdt: SourceSimulator;
  k3cloud: K3CloudSimulator;
  /** 0 = no timer (call tick()). */
  intervalMs?: number;
  onError?: (message: string) => void;
}): SalesOrderFeeder {
  const { wdt, k3cloud } = options;
  const user = k3cloud.options.users[0];
  let cookie: string | undefined;
  let running: Promise<number> | undefined;

  const post = async (service: string, body: unknown) => {
    const res = await fetch(`${k3cloud.baseUrl}${service}.common.kdsvc`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(cookie ? { cookie } : {}),
      },
      body: JSON.stringify(body),
    });
    return res;
  };
  const login = async () => {
    const res = await post(`${AUTH}.ValidateUser`, {
      acctID: k3cloud.acctId,
      username: user?.userName,
      password: user?.password,
      lcid: 2052,
    });
    cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
  };

  const once = async (): Promise<number> => {
    const orders = new Map<string, Record<string, unknown>>();
    for (const h of wdt.admin.records('stockouts')) {
      const s = h.versions.at(-1)?.data as StockoutView | undefined;
      const no = typeof s?.src_trade_no === 'string' ? s.src_trade_no : '';
      if (!s || no === '' || orders.has(no)) continue;
      if (k3cloud.documents.findByNumber('SAL_SaleOrder', no)) continue;
      const entries = new Map<string, number>();
      for (const d of s.details_list ?? []) {
        const material = String(d.goods_no ?? '');
        if (material === '') continue;
        entries.set(
          material,
          (entries.get(material) ?? 0) + Number(d.goods_count ?? 0),
        );
      }
      orders.set(no, {
        FBillNo: no,
        FBillTypeID: { FNumber: 'XSDD01_SYS' },
        FDate: String(s.trade_time ?? '').slice(0, 10),
        FSaleOrgId: { FNumber: '100' },
        FCustId: { FNumber: String(s.nick_name ?? '') },
        FSaleOrderEntry: [...entries].map(([material, qty]) => ({
          FMaterialId: { FNumber: material },
          FQty: qty,
        })),
      });
    }
    if (orders.size === 0) return 0;
    if (!cookie) await login();
    const res = await post(`${DYN}.BatchSave`, {
      formid: 'SAL_SaleOrder',
      data: { IsAutoSubmitAndAudit: true, Model: [...orders.values()] },
    });
    const body = (await res.json()) as {
      Result?: {
        ResponseStatus?: {
          MsgCode?: number;
          SuccessEntitys?: unknown[];
          Errors?: Array<{ Message?: string }>;
        };
      };
    };
    const status = body.Result?.ResponseStatus;
    if (status?.MsgCode === 1) cookie = undefined; // session lost: log in next tick
    const errors = status?.Errors ?? [];
    if (errors.length > 0)
      options.onError?.(
        `${errors.length} sales order(s) not saved yet: ${errors[0]?.Message ?? ''}`,
      );
    return status?.SuccessEntitys?.length ?? 0;
  };

  const tick = (): Promise<number> => {
    running ??= once().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer =
    options.intervalMs && options.intervalMs > 0
      ? setInterval(() => {
          tick().catch((err: unknown) =>
            options.onError?.(err instanceof Error ? err.message : String(err)),
          );
        }, options.intervalMs)
      : undefined;
  timer?.unref();
  return {
    tick,
    stop: () => {
      if (timer) clearInterval(timer);
    },
  };
}
