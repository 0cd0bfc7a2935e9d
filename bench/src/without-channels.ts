import type { StoreChannel } from '@session-stores/core';

/**
 * The same store class with its telemetry hook replaced by "nobody listens", without even
 * looking the channel up: the store as it would be without any channel code (issue 17's
 * "no measurable cost when nobody subscribes" compares the real class with this one).
 */
export function withoutChannels<C>(Base: C): C {
  // biome-ignore lint/suspicious/noExplicitAny: a mixin's base must be typed with any[] arguments
  const StoreClass = Base as unknown as new (...args: any[]) => object;
  class WithoutChannels extends StoreClass {
    protected observedChannel(): StoreChannel | undefined {
      return undefined;
    }
  }
  return WithoutChannels as unknown as C;
}
