/**
 * process.env without the server URL variables: this package's own tests exercise the binaries and
 * the child processes, even on a machine (CI) that also points the store tests at env servers.
 */
export const binaryEnv: NodeJS.ProcessEnv = {
  ...process.env,
  REDIS_URL: '',
  REDIS_CLUSTER_URLS: '',
  REDIS_REPLICA_URLS: '',
  COUCHDB_URL: '',
};

/** True while a process with this pid exists. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
