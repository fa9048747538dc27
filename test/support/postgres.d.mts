export interface ThrowawayOptions {
  readonly port?: number
  /** The superuser's password (scram-sha-256). */
  readonly password?: string
  /** fsync left on (the benchmark); otherwise it is off. */
  readonly durable?: boolean
  /** Server settings, passed as `-c name=value`. */
  readonly settings?: Readonly<Record<string, string | number>>
  /** PEM certificate and key: the server starts with ssl=on. */
  readonly tls?: { readonly cert: string; readonly key: string }
  /** Replaces pg_hba.conf. */
  readonly hba?: string
}

export interface ThrowawayServer {
  readonly kind: string
  readonly port: number
  readonly password: string
  readonly dataDir: string
  /** postgres://postgres:<password>@127.0.0.1:<port>/postgres, followed by `query`. */
  readonly url: (query?: string) => string
  /** Stops the server and deletes its files. */
  readonly stop: () => Promise<void>
}

export interface ProvidedPostgres {
  /** A superuser URL of the `postgres` database. */
  readonly adminUrl: string
  /** Where it came from: TEST_DATABASE_URL, 127.0.0.1:5432, or a throwaway server. */
  readonly kind: string
  /** Stops the server if this module started it. */
  readonly stop: () => Promise<void>
}

export declare const freePort: () => Promise<number>
export declare const withDatabase: (url: string, database: string) => string
export declare const startThrowawayServer: (options?: ThrowawayOptions) => Promise<ThrowawayServer>
export declare const stopThrowawayServers: () => Promise<void>
export declare const providePostgres: (options?: ThrowawayOptions) => Promise<ProvidedPostgres>
