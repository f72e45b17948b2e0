import { describe, expect, it } from '@jest/globals';
import { KeyedSerial } from './keyed-serial.ts';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedSerial', () => {
  it('runs the tasks of one key one at a time, in order', async () => {
    const serial = new KeyedSerial();
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([serial.run('l', task('a')), serial.run('l', task('b'))]);
    expect(results).toEqual(['a', 'b']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b']);
  });

  it('runs tasks of different keys concurrently', async () => {
    const serial = new KeyedSerial();
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
    };
    await Promise.all([serial.run('x', task('a')), serial.run('y', task('b'))]);
    expect(log.slice(0, 2)).toEqual(['start a', 'start b']);
  });

  it('starts the next task after a failed one, and forgets idle keys', async () => {
    const serial = new KeyedSerial();
    const failed = serial.run('l', () => Promise.reject(new Error('boom')));
    const next = serial.run('l', () => Promise.resolve('ran'));
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ran');
    await tick();
    expect(serial.busyKeys).toBe(0);
  });
});
