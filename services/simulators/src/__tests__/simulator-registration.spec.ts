import { describe, expect, it } from 'vitest';
import { registration } from '../simulator-registration';

describe('registration', () => {
  it('should start the simulator on its scenario section with the listen options under the admin key', async () => {
    const seen: unknown[] = [];
    const start = (options: Record<string, unknown>) => {
      seen.push(options);
      return Promise.resolve({ url: 'u', port: 1, close: async () => {} });
    };
    const listen = { host: 'h', port: 7, adminEnabled: true };
    await registration('a', 1, start).start({ ...listen, scenario: { x: 1 } });
    await registration('b', 2, start, 'admin').start({
      ...listen,
      scenario: 'not an object',
    });
    expect(seen).toEqual([
      { x: 1, host: 'h', port: 7, adminEnabled: true },
      { host: 'h', port: 7, admin: true },
    ]);
    expect(registration('c', 18, start)).toMatchObject({
      name: 'c',
      defaultPort: 18,
    });
  });
});
