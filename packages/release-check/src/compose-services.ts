import { parse } from 'yaml';

/** The parts of a docker compose service the CI parity checks read. */
export interface ComposeService {
  readonly image?: string;
  readonly profiles?: string[];
  readonly ports?: string[];
  readonly command?: string | string[];
  readonly healthcheck?: { test?: string | string[] };
  readonly network_mode?: string;
  readonly volumes?: string[];
  readonly environment?: Record<string, string>;
}

/** Parses a compose file, resolving its YAML anchors and `<<` merge keys. */
export function parseCompose(text: string): Record<string, ComposeService> {
  const doc = parse(text, { merge: true }) as { services?: Record<string, ComposeService> };
  return doc.services ?? {};
}

/** The services of `profile`, by name. */
export function servicesOfProfile(
  services: Record<string, ComposeService>,
  profile: string,
): [string, ComposeService][] {
  return Object.entries(services).filter(([, service]) => service.profiles?.includes(profile));
}

/**
 * The `host:port` addresses a service serves on the host: its published ports
 * (`127.0.0.1:16379:6379`), or with host networking the `--bind`/`--port` of its
 * redis-server command.
 */
export function hostEndpoints(service: ComposeService): string[] {
  const endpoints: string[] = [];
  for (const port of service.ports ?? []) {
    const parts = port.split(':');
    if (parts.length === 3) endpoints.push(`${parts[0]}:${parts[1]}`);
  }
  const command = Array.isArray(service.command) ? service.command : [];
  if (service.network_mode === 'host' && command[0] === 'redis-server') {
    const flag = (name: string) => command[command.indexOf(name) + 1];
    if (command.includes('--port')) endpoints.push(`${flag('--bind') ?? '127.0.0.1'}:${flag('--port')}`);
  }
  return endpoints;
}

/** The `host:port` addresses of a comma-separated list of URLs or `host:port` pairs. */
export function envEndpoints(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      if (!item.includes('://')) return item;
      const url = new URL(item);
      return `${url.hostname}:${url.port}`;
    });
}

/** The default of a `${NAME:-default}` interpolation, or the value itself. */
export function interpolationDefault(value: string): string {
  const match = /^\$\{[A-Z_]+:-(.*)\}$/.exec(value);
  return match ? (match[1] ?? '') : value;
}
