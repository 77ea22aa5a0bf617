/// The load harness: simulated WhatsApp customers against a release `sufra serve` (see BENCHMARKS.md).
await LoadTest.main()
