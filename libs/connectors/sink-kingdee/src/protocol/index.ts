// The Kingdee wire, once: what the clients send and the simulators check (service names, codes, signatures,
// answer schemas, form keys). The simulators import this entry only (@kingbridge/sink-kingdee-client/protocol).
export * from './kingdee.constants';
export * from './kingdee-sign.util';
export * from './k3cloud.schemas';
export * from './k3cloud-forms';
