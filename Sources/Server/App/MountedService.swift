import Hummingbird
import ServiceLifecycle

/// A component that runs beside Sufra in the same process: its routes join the application's router and it
/// runs in the application's service group.
///
/// The server knows only this port; `sufra dev` mounts the Twilio sandbox (`SufraDev`) through it, so the
/// server library carries no test double.
public protocol MountedService: Service {
    /// Adds the component's routes to `router`.
    func addRoutes<Context: RequestContext>(to router: some RouterMethods<Context>)
}
