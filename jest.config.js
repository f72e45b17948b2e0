// @ts-check
import { createDefaultEsmPreset } from 'ts-jest';

const esm = createDefaultEsmPreset({ tsconfig: 'tsconfig.jest.json' });

/** Unit tests sit beside the code and need no servers; integration tests share one
 * kube-apiserver + etcd + moto started by the global setup. */
/** @type {import('jest').Config} */
export default {
  projects: [
    {
      ...esm,
      displayName: 'unit',
      testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      ...esm,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/unit/', '<rootDir>/test/policy/'],
      globalSetup: '<rootDir>/test/env/global-setup.ts',
      globalTeardown: '<rootDir>/test/env/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/env/jest-setup.ts'],
    },
    {
      // Runs after the others (npm test): reads the AWS actions the integration run recorded.
      ...esm,
      displayName: 'policy',
      testMatch: ['<rootDir>/test/policy/**/*.test.ts'],
    },
  ],
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/env/summary-reporter.js'],
};
