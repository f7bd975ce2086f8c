import type { AnyService } from '../core/service.js';
import { stsService } from './sts/index.js';

/**
 * Every service the simulated account serves. To add one, export a `defineService(...)` from its
 * folder and list it here (see src/sim/README.md).
 */
export const SERVICES: AnyService[] = [stsService];
