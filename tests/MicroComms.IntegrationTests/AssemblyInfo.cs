// Broker tests share one machine's broker and two cores; running them one at a time keeps timings honest.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
