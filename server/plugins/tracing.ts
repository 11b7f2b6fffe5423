import type { FastifyInstance } from 'fastify'
import type { AppConfig } from '../config.ts'

/**
 * OpenTelemetry tracing, opt-in with OTEL_EXPORTER_OTLP_ENDPOINT: @fastify/otel
 * makes a span for every request and its hooks, exported over OTLP/HTTP
 * (`<endpoint>/v1/traces`) in batches. Without the variable nothing is loaded,
 * so the default service pays nothing for it.
 *
 * Registered on the root instance before any route, as @fastify/otel must be
 * to see every route. The provider is the app's own (not the global one), so
 * closing the app flushes and stops exactly its spans.
 */
export async function registerTracing (app: FastifyInstance, config: AppConfig): Promise<void> {
  if (config.otel == null) return
  const [{ FastifyOtelInstrumentation }, { NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] =
    await Promise.all([
      import('@fastify/otel'),
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources')
    ])
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.otel.serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${config.otel.endpoint}/v1/traces` }), { scheduledDelayMillis: 1000 })]
  })
  const instrumentation = new FastifyOtelInstrumentation({ ignorePaths: (route: { url: string }) => route.url === '/metrics' })
  instrumentation.setTracerProvider(provider)
  await app.register(instrumentation.plugin())
  app.addHook('onClose', async () => { await provider.shutdown() })
  app.log.info({ endpoint: config.otel.endpoint }, 'OpenTelemetry tracing on')
}
