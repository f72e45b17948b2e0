import { Writable } from 'node:stream';
import { createLogger } from './logging.ts';

/** Collects the JSON lines a logger writes. */
function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

test('credentials are redacted at any of the first three levels; other fields are kept', () => {
  const { stream, lines } = capture();
  const log = createLogger('info', stream);
  log.child({ controller: 'publishedapp' }).info(
    {
      credentials: { accessKeyId: 'AKIA1', secretAccessKey: 's3cr3t', sessionToken: 'tok' },
      request: { headers: { authorization: 'Bearer abc' } },
      token: 'raw',
      endpointId: 'vpce-123',
    },
    'assumed role',
  );
  const [line] = lines();
  const text = JSON.stringify(line);
  for (const secret of ['AKIA1', 's3cr3t', 'tok"', 'Bearer abc', '"raw"']) expect(text).not.toContain(secret);
  expect(line).toMatchObject({
    level: 'info',
    controller: 'publishedapp',
    endpointId: 'vpce-123',
    msg: 'assumed role',
    component: 'privatelink-publisher',
  });
  expect((line?.credentials as Record<string, unknown>).secretAccessKey).toBe('[redacted]');
});

test('the level threshold applies', () => {
  const { stream, lines } = capture();
  const log = createLogger('warn', stream);
  log.info('hidden');
  log.warn('shown');
  expect(lines().map((l) => l.msg)).toEqual(['shown']);
});
