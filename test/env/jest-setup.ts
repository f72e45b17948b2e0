// Integration tests wait on real servers and controller convergence: give them room.
// (jest ignores `testTimeout` inside a project's config.)
import { jest } from '@jest/globals';

jest.setTimeout(180_000);
