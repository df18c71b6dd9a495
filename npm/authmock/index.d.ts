/** authmock could not start, stopped, or is not answering. */
export class AuthmockError extends Error {}

/** A control-plane call answered an error. */
export class AdminError extends AuthmockError {
  status: number;
  body: unknown;
}

/** `verify` did not hold. */
export class VerificationError extends Error {
  /** How many requests matched. */
  matched: number;
  /** The journal entries closest to the expectation (as `requests()` shows them), at most 5. */
  nearest: JournalEntry[];
}

export interface StartOptions {
  /** Reproducible tokens (`--seed`). */
  seed?: number;
  /** A directory of fixture files (`--fixtures`). */
  fixtures?: string;
  /** Also serve https on a free port (`httpsUrl`, `caPem`). */
  tls?: boolean;
  /** Refuse every deviation from the vendor pages (`--strict`). */
  strict?: boolean;
  /** A `redis://` URL (`--store`). */
  store?: string;
  /** Further command-line flags. */
  args?: string[];
  /** The http port (default 0: a free one). */
  port?: number;
  /** The binary (default: AUTHMOCK_BIN, else this platform's package). */
  binary?: string;
  /** With `--admin-token` in `args`: the token the admin client sends. */
  adminToken?: string;
  /** How long to wait for the listening line (default 10000). */
  startTimeoutMs?: number;
}

export interface JournalEntry {
  id: number;
  time: string;
  epochMs: number;
  method: string;
  path: string;
  uri: string;
  route: string | null;
  request: { headers: Record<string, string>; body: unknown; bodyBytes: number; bodyTruncated: boolean };
  status: number;
  response: { body: unknown; bodyBytes: number; bodyTruncated: boolean };
  durationMs: number;
  fault: string | null;
  warnings: { id: string; message: string }[];
  notes: { id: string; message: string }[];
}

export interface ClockView { now: string; epochMs: number; mode: 'real' | 'frozen' | 'offset' }

export interface FaultAction {
  /** How many requests it shapes (default 1; 0: until removed). */
  times?: number;
  /** A vendor code of the route's family, answered as the route would. */
  error?: string;
  status?: number;
  body?: unknown;
  delayMs?: number;
  drop?: boolean;
  malformed?: boolean;
}

export interface Fault extends FaultAction { id: string; route: string; times: number; hits: number }

export interface VerifyOptions {
  /** Exactly this many (neither this nor atLeast/atMost: at least one). */
  count?: number;
  atLeast?: number;
  atMost?: number;
  /** Only requests answered with this status. */
  status?: number;
  /** And none deviated from its vendor page. */
  noWarnings?: boolean;
}

export type Family = 'koodrive' | 'oneaccess' | 'enos';

/** The control plane of one server, scoped to one namespace. */
export class Admin {
  constructor(baseUrl: string, opts?: { namespace?: string; adminToken?: string });
  readonly baseUrl: string;
  readonly namespaceName: string | undefined;
  /** `{"X-Mock-Namespace": name}` to send with vendor requests (empty for `default`). */
  readonly headers: Record<string, string>;
  namespace(name: string): Admin;
  health(): Promise<{ status: string; store: string; uptimeSeconds: number; version: string }>;
  reset(): Promise<void>;
  state(query?: Record<string, string | number | boolean>): Promise<any>;
  requests(query?: { limit?: number; method?: string; path?: string; status?: number; warnings?: boolean }): Promise<JournalEntry[]>;
  clearRequests(): Promise<number>;
  warnings(): Promise<{ id: string; note: boolean; route: string; count: number; firstSeen: string; lastSeen: string; lastMessage: string }[]>;
  revoke(token: string): Promise<void>;
  /** `route` is `"POST /path"` or `"/path"` (any method). Resolves to the number matched. */
  verify(route: string, opts?: VerifyOptions): Promise<number>;
  clock: {
    get(): Promise<ClockView>;
    freeze(frozen?: boolean): Promise<ClockView>;
    set(instant: string | number, freeze?: boolean): Promise<ClockView>;
    /** `"31m"`, `"1h30m"`, `"2d"` or seconds. */
    advance(by: string | number): Promise<ClockView>;
    real(): Promise<ClockView>;
  };
  faults: {
    add(route: string, action?: FaultAction): Promise<Fault>;
    list(): Promise<Fault[]>;
    remove(id: string): Promise<unknown>;
    clear(): Promise<number>;
  };
  koodrive: {
    /** A one-time authorization code (5 minutes, or ttlSeconds). */
    mintAuthCode(userId: string, opts?: { ttlSeconds?: number }): Promise<string>;
    /** A one-time verification code (captchaToken) for authType "2". */
    mintVerificationCode(account: string): Promise<string>;
  };
  identities: {
    addUser(family: Family, user: Record<string, unknown>): Promise<unknown>;
    addOrg(family: Family, org: Record<string, unknown>): Promise<unknown>;
    addClient(client: { clientId: string; clientSecret: string; tenantId: string; name?: string }): Promise<unknown>;
    removeUser(family: Family, id: string): Promise<unknown>;
  };
}

export interface Authmock {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `https://127.0.0.1:<port>` with `tls: true`. */
  httpsUrl: string | undefined;
  /** The https listener's CA (PEM) with `tls: true`. */
  caPem: string | undefined;
  pid: number;
  /** The last lines authmock wrote to stderr. */
  readonly stderr: string;
  /** The admin client of the `default` namespace. */
  admin: Admin;
  namespace(name: string): Admin;
  /** SIGTERM and wait: afterwards the port no longer answers. Rejects with authmock's stderr when it had
   * died or exits with an error. */
  stop(): Promise<void>;
}

export function startAuthmock(opts?: StartOptions): Promise<Authmock>;
export function findBinary(explicit?: string): string;
