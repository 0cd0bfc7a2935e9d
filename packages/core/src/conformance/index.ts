export { uniqueToken } from './context';
export { conformanceGroups } from './groups';
export { runStoreConformance } from './register';
export { type CaseResult, runConformanceCases } from './run-cases';
export type {
  CaseContext,
  ConformanceCase,
  ConformanceGroup,
  ConformanceInspect,
  ConformanceOptions,
  StoreFactoryContext,
} from './types';
