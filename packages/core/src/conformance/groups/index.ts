import type { ConformanceGroup } from '../types';
import { callbacksGroup } from './callbacks';
import { concurrencyGroup } from './concurrency';
import { corruptDataGroup } from './corrupt-data';
import { enumerationGroup } from './enumeration';
import { eventsGroup } from './events';
import { expressFlowGroup } from './express-flow';
import { fastifyFlowGroup } from './fastify-flow';
import { manifestGroup } from './manifest';
import { oddIdsGroup } from './odd-ids';
import { overlappingRequestsGroup } from './overlapping-requests';
import { prefixIsolationGroup } from './prefix-isolation';
import { roundTripGroup } from './round-trip';
import { touchGroup } from './touch';
import { ttlGroup } from './ttl';
import { userSessionsGroup } from './user-sessions';

/** Every group of the kit, in the order they run. */
export const conformanceGroups: readonly ConformanceGroup[] = [
  manifestGroup,
  roundTripGroup,
  oddIdsGroup,
  prefixIsolationGroup,
  ttlGroup,
  touchGroup,
  enumerationGroup,
  callbacksGroup,
  corruptDataGroup,
  concurrencyGroup,
  eventsGroup,
  expressFlowGroup,
  overlappingRequestsGroup,
  userSessionsGroup,
  fastifyFlowGroup,
];
