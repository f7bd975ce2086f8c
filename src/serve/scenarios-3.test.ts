import { dashboardOverScenarios } from './test-support/scenarios.js';

// Every dashboard page of the scenarios in group 2 (every seventh, see test-support/scenarios.ts).
dashboardOverScenarios(2);
