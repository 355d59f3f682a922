// Effect sizes for tests that audit below the defaults' cost. The defaults (drop rate ± 0.002, scale
// 1 ± 0.005) take ~7·10^7 elements an audit; one test in audit.test.ts runs them.
import type { AuditOptions } from '../../src/verify/audit/index.ts';

/** Full statistical strength against the previous defaults' effects (~1.4·10^7 elements): for tests of
 * what the statistical properties find (correct candidates under several seeds, a rate off by 0.01). */
export const MEDIUM = { rateError: 0.01, scaleError: 0.01 } satisfies AuditOptions;
export const MEDIUM_FLAGS = ['--rate-error', '0.01', '--scale-error', '0.01'];

/** For tests of the interface, reports, isolation and the command line, where what is judged does not
 * depend on the statistical tests' size (~4.5·10^6 elements, a third of MEDIUM's time). */
export const QUICK = { rateError: 0.03, scaleError: 0.03, dependence: 0.05 } satisfies AuditOptions;
export const QUICK_FLAGS = ['--rate-error', '0.03', '--scale-error', '0.03', '--dependence', '0.05'];
