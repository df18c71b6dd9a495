declare module 'vitest' {
  export interface ProvidedContext {
    /** The base URL of the run's authmock, e.g. `http://127.0.0.1:41234`. */
    authmockUrl: string;
    /** Its https base URL. */
    authmockHttpsUrl: string;
    /** The CA (PEM) of the https listener. */
    authmockCaPem: string;
  }
}

/** Vitest globalSetup: starts authmock, provides `authmockUrl`, `authmockHttpsUrl`, `authmockCaPem`. */
export default function setup(project: { provide(key: string, value: unknown): void }): Promise<() => Promise<void>>;
