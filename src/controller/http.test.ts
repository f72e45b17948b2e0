import { parseAddress } from './http.ts';

describe('parseAddress', () => {
  test.each([
    { address: ':8080', want: { host: undefined, port: 8080 } },
    { address: '127.0.0.1:0', want: { host: '127.0.0.1', port: 0 } },
    { address: '0.0.0.0:9443', want: { host: '0.0.0.0', port: 9443 } },
    { address: '[::1]:8080', want: { host: '::1', port: 8080 } },
    { address: 'localhost:80', want: { host: 'localhost', port: 80 } },
  ])('$address', ({ address, want }) => {
    expect(parseAddress(address)).toEqual(want);
  });

  test.each(['8080', 'host', ':http', ':70000', ''])('rejects %j', (address) => {
    expect(() => parseAddress(address)).toThrow(/invalid/);
  });
});
