import Hummingbird
import Infra

/// The Hummingbird application and the composition root that wires Infra into Actors.
public enum SufraServer {}
