import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from '../free-port.util';

describe('freePort', () => {
  it('should give a loopback port a server can listen on when asked', async () => {
    const port = await freePort();

    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    const address = server.address();
    await new Promise((resolve) => server.close(resolve));

    expect(port).toBeGreaterThan(0);
    expect(typeof address === 'object' && address?.port).toBe(port);
  });
});
