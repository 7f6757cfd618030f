// The OKKI wire, once: what the client sends and the simulator answers (paths, limits, answers).
export * from './xiaoman.constants';
export * from './xiaoman.schemas';
