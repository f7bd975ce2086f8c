import type { ScenarioDef } from '../types.js';
import { cryptomining } from './cryptomining.js';

/** Every scenario by name. */
export const SCENARIOS: Record<string, ScenarioDef> = Object.fromEntries(
  [cryptomining].map((s) => [s.name, s]),
);
