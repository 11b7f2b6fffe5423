// Minimal types for autocannon 9 (it ships none): what scripts/bench.ts uses.
declare module 'autocannon' {
  namespace autocannon {
    interface Request {
      method?: string
      path?: string
      headers?: Record<string, string>
      body?: string
      /** Called before each send; `context` lives for one pass over the requests array of a connection. */
      setupRequest?: (request: Request, context: Record<string, unknown>) => Request
    }
    interface Options {
      url: string | string[]
      connections?: number
      duration?: number
      method?: string
      headers?: Record<string, string>
      body?: string
      requests?: Request[]
    }
    interface Histogram { average: number, p50: number, p99: number, total: number }
    /** `duration`: seconds the run took. */
    interface Result { requests: Histogram, latency: Histogram, non2xx: number, errors: number, timeouts: number, duration: number }
    interface Instance extends PromiseLike<Result> {
      on: (event: 'tick', listener: (counter: { counter: number, bytes: number }) => void) => Instance
    }
  }
  function autocannon (opts: autocannon.Options): autocannon.Instance
  export default autocannon
}
