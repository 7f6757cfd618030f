// The Jushuitan wire, once: what the client sends and the simulator checks (constants, signature, answers).
export * from './jushuitan.constants';
export * from './jushuitan-sign.util';
export * from './jushuitan.schemas';
