export { type CliOutput, conformanceCommand, runConformanceCommand } from '../cli/main';
export type { ConformanceReport, ReportCase, ReportStatus } from '../cli/report';
export type { StoreModule } from '../cli/store-module';
export { uniqueToken } from './context';
export { type Expectation, expect, type Matchers } from './expect';
export { conformanceGroups } from './groups';
export { preferModulesFrom } from './http-modules';
export { type PlainCapabilityClaims, type PlainStore, PlainStoreAdapter } from './plain-store';
export { type ConformanceRunner, DEFAULT_CASE_TIMEOUT_MS, registerConformance } from './register';
export { type CaseResult, type RunCasesHooks, runConformanceCases } from './run-cases';
export { runStoreConformance } from './runners/jest';
export { runStoreConformanceWithMocha } from './runners/mocha';
export { runStoreConformanceWithNodeTest } from './runners/node-test';
export { runStoreConformanceWithVitest, type VitestApi } from './runners/vitest';
export type {
  CaseContext,
  ConformanceCase,
  ConformanceGroup,
  ConformanceInspect,
  ConformanceOptions,
  ConformanceTarget,
  StoreFactoryContext,
} from './types';
