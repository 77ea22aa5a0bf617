/// The generic actor runtime: keyed actors with bounded mailboxes, supervision, passivation, token buckets and
/// clocks. It knows nothing of restaurants, SQL or HTTP.
public enum Runtime {}
