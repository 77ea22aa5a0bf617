import Runtime

/// The domain: models, pure logic (bot flow, order state machine, menu parsing, texts), the actors and the ports
/// they need. No I/O library is imported here.
public enum Actors {}
