/** The report's public API: build the facts of a case once, render any document from them. */
export { buildFacts, readFactsInput, type BuildOptions } from './build.js';
export { factsFromInput, type Facts, type FactsOptions } from './facts.js';
export type {
  AttackerEvent,
  CoverageEntry,
  CostExplorerFigures,
  FactsInput,
  LineageNode,
  TriageFacts,
} from './input.js';
export { COST_EXPLORER_FILE, REPORT_INPUT_FILES } from './case-inputs.js';
export { loadPriceTable, priceOf, PRICE_TABLE_FILE, type PriceTable } from './prices.js';
export {
  EXTENSIONS,
  REPORT_FORMATS,
  REPORT_KINDS,
  renderReport,
  type ReportFormat,
  type ReportKind,
} from './render.js';
export { timelineCsv } from './csv.js';
export { isUnknown, factText, type Fact, type Unknown } from './unknown.js';
