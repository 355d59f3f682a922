// Effect sizes for tests that audit at full statistical strength but not at the defaults' cost: the
// defaults (drop rate ± 0.002, scale 1 ± 0.005) take ~7·10^7 elements an audit; these ~1.5·10^7.
// One test in audit.test.ts runs the defaults themselves.
import type { AuditOptions } from '../../src/verify/audit/index.ts';

export const MEDIUM = { rateError: 0.01, scaleError: 0.01 } satisfies AuditOptions;
export const MEDIUM_FLAGS = ['--rate-error', '0.01', '--scale-error', '0.01'];
