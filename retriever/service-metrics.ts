/** Counters and a latency histogram for `/metrics`, in the Prometheus text format. */
const BUCKETS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];

export class ServiceMetrics {
  private readonly responses = new Map<number, number>();
  private queries = 0;
  private readonly bucketCounts = new Array<number>(BUCKETS_MS.length).fill(0);
  private latencyCount = 0;
  private latencySumMs = 0;

  recordResponse(status: number): void {
    this.responses.set(status, (this.responses.get(status) ?? 0) + 1);
  }

  recordBatch(queries: number, elapsedMs: number): void {
    this.queries += queries;
    this.latencyCount += 1;
    this.latencySumMs += elapsedMs;
    BUCKETS_MS.forEach((bound, index) => {
      if (elapsedMs <= bound) this.bucketCounts[index]! += 1;
    });
  }

  render(gauges: { inFlight: number; queued: number }): string {
    const lines = [
      '# TYPE retriever_http_responses_total counter',
      ...[...this.responses].map(
        ([code, n]) => `retriever_http_responses_total{code="${code}"} ${n}`,
      ),
      '# TYPE retriever_queries_total counter',
      `retriever_queries_total ${this.queries}`,
      '# TYPE retriever_batch_seconds histogram',
      ...BUCKETS_MS.map(
        (bound, i) =>
          `retriever_batch_seconds_bucket{le="${bound / 1000}"} ${this.bucketCounts[i]}`,
      ),
      `retriever_batch_seconds_bucket{le="+Inf"} ${this.latencyCount}`,
      `retriever_batch_seconds_sum ${this.latencySumMs / 1000}`,
      `retriever_batch_seconds_count ${this.latencyCount}`,
      '# TYPE retriever_in_flight gauge',
      `retriever_in_flight ${gauges.inFlight}`,
      '# TYPE retriever_queued gauge',
      `retriever_queued ${gauges.queued}`,
    ];
    return `${lines.join('\n')}\n`;
  }
}
