import type { z } from 'zod';
import {
  jsonResponse,
  parseJsonOrUndefined,
  type PlatformResponse,
  type SimRequest,
} from '../shared/kingdee-server';
import { IIS_NOT_FOUND } from '../shared/kingdee-simulator';
import { K3_DYNAMIC_FORM_SERVICE } from '@kingbridge/sink-kingdee-client/protocol';
import type { K3SessionManager } from './k3cloud-auth';
import {
  handleQuery,
  handleSave,
  handleStateChange,
  handleView,
  type K3BillContext,
} from './k3cloud-bill.handlers';
import { handleLogin, loginFailure } from './k3cloud-login.handler';
import {
  K3_AUTH_PREFIX as AUTH,
  K3_MSG,
  K3_SESSION_LOST_MESSAGE,
  k3Failure,
} from './k3cloud-response.util';
import { isRecord } from './k3cloud-save.handler';
import type { k3CloudSimulatorOptionsSchema } from './k3cloud.options';

const SERVICE_PATH = /^\/(k3cloud|galaxyapi)\/(.+)\.common\.kdsvc$/i;
const DYN = `${K3_DYNAMIC_FORM_SERVICE.toLowerCase()}.`;

/** What the WebAPI services work on. */
export interface K3CloudContext {
  readonly options: z.infer<typeof k3CloudSimulatorOptionsSchema>;
  readonly sessions: K3SessionManager;
  readonly bills: K3BillContext;
}

function serviceOf(req: SimRequest): string | undefined {
  const match = SERVICE_PATH.exec(req.path);
  return match?.[2]?.toLowerCase();
}

function isQuery(service: string | undefined): boolean {
  return service === `${DYN}executebillquery` || service === `${DYN}billquery`;
}

function isLogin(service: string | undefined): boolean {
  return (
    service !== undefined &&
    service.startsWith(AUTH) &&
    service !== `${AUTH}logout`
  );
}

/** The same failure in the shape the caller's service uses. */
export function errorFor(
  req: SimRequest,
  msgCode: number,
  message: string,
): PlatformResponse {
  const service = serviceOf(req);
  if (isLogin(service)) return jsonResponse(200, loginFailure(-1, message));
  if (isQuery(service))
    return jsonResponse(200, [[k3Failure(msgCode, message)]]);
  return jsonResponse(200, k3Failure(msgCode, message));
}

/** A business service of `DynamicFormService` on an authenticated session. */
function dynamicFormCall(
  bills: K3BillContext,
  service: string,
  body: Record<string, unknown>,
): PlatformResponse {
  const op = service.startsWith(DYN) ? service.slice(DYN.length) : '';
  switch (op) {
    case 'save':
    case 'draft':
      return handleSave(bills, body, false);
    case 'batchsave':
      return handleSave(bills, body, true);
    case 'executebillquery':
    case 'billquery':
      return handleQuery(bills, body, op === 'billquery');
    case 'view':
      return handleView(bills, body);
    case 'submit':
    case 'audit':
    case 'unaudit':
    case 'delete':
      return handleStateChange(bills, body, op);
    default:
      return jsonResponse(
        200,
        k3Failure(K3_MSG.exception, `服务“${service}”不存在或未实现`),
      );
  }
}

/** Every `*.common.kdsvc` call: login services, else the session, then the business service. */
export function handleK3Cloud(
  ctx: K3CloudContext,
  req: SimRequest,
): PlatformResponse {
  const { sessions } = ctx;
  const service = serviceOf(req);
  if (!service) return IIS_NOT_FOUND;
  if (req.method !== 'POST') {
    return {
      status: 405,
      headers: { 'content-type': 'text/html' },
      body: '<html><body><h2>405 - 不允许使用用于访问此页的 HTTP 谓词。</h2></body></html>',
    };
  }
  const body = parseJsonOrUndefined(req.body);
  if (service.startsWith(AUTH))
    return handleLogin(
      { sessions, acctId: ctx.options.acctId },
      req,
      service,
      body,
    );

  const auth = sessions.authenticate(req);
  if (!auth.ok) {
    if (auth.kind === 'passport')
      return {
        status: 500,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: auth.text,
      };
    return errorFor(req, K3_MSG.sessionLost, K3_SESSION_LOST_MESSAGE);
  }
  const response = isRecord(body)
    ? dynamicFormCall(ctx.bills, service, body)
    : errorFor(
        req,
        K3_MSG.parameterError,
        '请求参数格式错误：无法解析为 JSON 对象',
      );
  return auth.setCookies.length === 0
    ? response
    : {
        ...response,
        headers: { ...response.headers, 'set-cookie': auth.setCookies },
      };
}
